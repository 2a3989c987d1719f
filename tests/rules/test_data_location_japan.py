import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs

from nag_rules import Status
from nag_rules.rules.data_location_japan import RULE
from tests.helpers import evaluations_of, new_stack, only


def test_noncompliance_1_region_outside_japan():
    stack = new_stack(cdk.Environment(account="123456789012", region="us-east-1"))
    s3.Bucket(stack, "Bucket")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "stack Test deploys to us-east-1"


def test_noncompliance_2_environment_agnostic_stack():
    stack = new_stack(env=None)
    sqs.Queue(stack, "Queue")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "environment-agnostic" in evaluation.evidence


def test_compliance_1_tokyo():
    stack = new_stack()
    s3.Bucket(stack, "Bucket")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "stack Test deploys to ap-northeast-1"


def test_compliance_2_osaka():
    stack = new_stack(cdk.Environment(account="123456789012", region="ap-northeast-3"))
    sqs.Queue(stack, "Queue")
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT


def test_compliance_3_only_data_stores_are_evaluated():
    stack = new_stack(env=None)
    cdk.CfnResource(stack, "Topic", type="AWS::SNS::Subscription", properties={"Protocol": "email"})
    assert evaluations_of(stack, RULE) == []


def test_noncompliance_3_table_replica_outside_japan():
    stack = new_stack()
    dynamodb.TableV2(stack, "Records", partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
                     replicas=[dynamodb.ReplicaTableProps(region="us-east-1")])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "replica us-east-1 is in us-east-1"


def test_noncompliance_4_replication_to_a_bucket_outside_the_app_is_unresolved():
    stack = new_stack()
    s3.CfnBucket(stack, "Bucket", versioning_configuration={"status": "Enabled"}, replication_configuration={
        "role": "arn:aws:iam::123456789012:role/replication",
        "rules": [{"status": "Enabled", "destination": {"bucket": "arn:aws:s3:::somewhere"}}]})
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert evaluation.evidence.startswith("replication destination arn:aws:s3:::somewhere")


def test_compliance_4_table_replica_in_osaka():
    stack = new_stack()
    dynamodb.TableV2(stack, "Records", partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
                     replicas=[dynamodb.ReplicaTableProps(region="ap-northeast-3")])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "replica ap-northeast-3 is in ap-northeast-3" in evaluation.evidence


def test_noncompliance_5_log_delivery_outside_japan_says_where_the_records_land():
    from aws_cdk import aws_logs as logs
    from aws_cdk import aws_wafv2 as wafv2

    app = new_stack().node.root
    tokyo = cdk.Stack(app, "Tokyo", env=cdk.Environment(account="123456789012", region="ap-northeast-1"))
    s3.Bucket(tokyo, "Logs", bucket_name="aws-waf-logs-example", removal_policy=cdk.RemovalPolicy.RETAIN)
    edge = cdk.Stack(app, "Edge", env=cdk.Environment(account="123456789012", region="us-east-1"))
    wafv2.CfnLoggingConfiguration(edge, "WafLogging", resource_arn="arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1",
                                  log_destination_configs=["arn:aws:s3:::aws-waf-logs-example"])
    source = logs.CfnDeliverySource(edge, "Source", name="access", log_type="ACCESS_LOGS",
                                    resource_arn="arn:aws:cloudfront::123456789012:distribution/E1")
    destination = logs.CfnDeliveryDestination(edge, "Destination", name="japan",
                                              destination_resource_arn="arn:aws:s3:::aws-waf-logs-example")
    logs.CfnDelivery(edge, "Delivery", delivery_source_name=source.name, delivery_destination_arn=destination.attr_arn)
    evaluations = {e.resource.path: e for e in evaluations_of(edge, RULE)}
    assert set(evaluations) == {"Edge/WafLogging", "Edge/Source", "Edge/Destination", "Edge/Delivery"}
    assert {e.status for e in evaluations.values()} == {Status.VIOLATED}
    landing = "arn:aws:s3:::aws-waf-logs-example (Tokyo/Logs/Resource in ap-northeast-1)"
    for evaluation in evaluations.values():
        assert evaluation.evidence == f"stack Edge deploys to us-east-1; the log records it routes are stored in {landing}"
