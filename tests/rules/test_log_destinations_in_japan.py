import aws_cdk as cdk
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_wafv2 as wafv2

from nag_rules import Status
from nag_rules.rules.log_destinations_in_japan import RULE
from tests.helpers import TOKYO, evaluations_of, new_app, new_stack, only

VIRGINIA = cdk.Environment(account=TOKYO.account, region="us-east-1")
OSAKA = cdk.Environment(account=TOKYO.account, region="ap-northeast-3")


def _vpc(stack):
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0,
                   subnet_configuration=[ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC)])


def _flow_log_to_bucket_in(env):
    """A flow log in Tokyo delivering to a bucket of another stack in ``env``."""
    app = new_app()
    elsewhere = cdk.Stack(app, "Elsewhere", env=env)
    bucket = s3.Bucket(elsewhere, "FlowLogs", bucket_name="tomolinks-flow-logs")
    stack = cdk.Stack(app, "Test", env=TOKYO)
    ec2.FlowLog(stack, "Flow", resource_type=ec2.FlowLogResourceType.from_vpc(_vpc(stack)),
                destination=ec2.FlowLogDestination.to_s3(bucket))
    return stack


def _web_acl_logging(stack, *destinations):
    acl = wafv2.CfnWebACL(stack, "Acl", scope="REGIONAL", default_action={"allow": {}}, visibility_config={
        "cloudWatchMetricsEnabled": True, "metricName": "acl", "sampledRequestsEnabled": True})
    wafv2.CfnLoggingConfiguration(stack, "Logging", resource_arn=acl.attr_arn, log_destination_configs=list(destinations))


def _evaluation(stack, path):
    return only([e for e in evaluations_of(stack, RULE) if e.resource.path == path])


def test_noncompliance_1_flow_logs_to_a_bucket_in_virginia():
    evaluation = only(evaluations_of(_flow_log_to_bucket_in(VIRGINIA), RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("Test/Flow/FlowLog flow logs → Elsewhere/FlowLogs/Resource named tomolinks-flow-logs "
                                   "(us-east-1)")


def test_compliance_1_flow_logs_to_a_bucket_in_osaka():
    evaluation = only(evaluations_of(_flow_log_to_bucket_in(OSAKA), RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("Test/Flow/FlowLog flow logs → Elsewhere/FlowLogs/Resource named tomolinks-flow-logs "
                                   "(ap-northeast-3)")


def test_compliance_2_flow_logs_to_a_log_group():
    stack = new_stack()
    group = logs.LogGroup(stack, "FlowLogs")
    ec2.FlowLog(stack, "Flow", resource_type=ec2.FlowLogResourceType.from_vpc(_vpc(stack)),
                destination=ec2.FlowLogDestination.to_cloud_watch_logs(group))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "Test/Flow/FlowLog flow logs → Test/FlowLogs/Resource (ap-northeast-1)"


def test_noncompliance_2_web_acl_logs_to_a_log_group_in_virginia():
    stack = new_stack()
    _web_acl_logging(stack, "arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-entry")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("Test/Logging web ACL logs → arn:aws:logs:us-east-1:123456789012:log-group:"
                                   "aws-waf-logs-entry (us-east-1)")


def test_compliance_3_edge_web_acl_logs_land_in_tokyo():
    app = new_app()
    tokyo = cdk.Stack(app, "Foundation", env=TOKYO)
    s3.Bucket(tokyo, "EdgeLogs", bucket_name="aws-waf-logs-edge")
    edge = cdk.Stack(app, "Edge", env=VIRGINIA)
    _web_acl_logging(edge, "arn:aws:s3:::aws-waf-logs-edge")
    evaluation = only(evaluations_of(edge, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("Edge/Logging web ACL logs → Foundation/EdgeLogs/Resource named aws-waf-logs-edge "
                                   "(ap-northeast-1)")


def test_compliance_4_web_acl_logs_to_a_log_group_of_the_app_by_arn():
    stack = new_stack()
    logs.LogGroup(stack, "WafLogs", log_group_name="aws-waf-logs-entry")
    _web_acl_logging(stack, f"arn:aws:logs:{stack.region}:{stack.account}:log-group:aws-waf-logs-entry")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "Test/Logging web ACL logs → Test/WafLogs/Resource named aws-waf-logs-entry " \
                                  "(ap-northeast-1)"


def test_unresolved_1_web_acl_logs_to_a_bucket_outside_the_app():
    stack = new_stack()
    _web_acl_logging(stack, "arn:aws:s3:::aws-waf-logs-somewhere")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert evaluation.evidence == ("Test/Logging web ACL logs → arn:aws:s3:::aws-waf-logs-somewhere (the bucket's "
                                   "region is unknown: no bucket of this app has that name)")


def test_unresolved_2_destination_from_a_parameter():
    stack = new_stack()
    _web_acl_logging(stack, cdk.CfnParameter(stack, "Destination").value_as_string)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert evaluation.evidence == 'Test/Logging web ACL logs → {"Ref":"Destination"} (known only at deploy time)'


def test_compliance_5_trail_lists_bucket_and_log_group():
    stack = new_stack()
    cloudtrail.Trail(stack, "Trail", bucket=s3.Bucket(stack, "Archive"), send_to_cloud_watch_logs=True,
                     cloud_watch_log_group=logs.LogGroup(stack, "Audit"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("Test/Trail/Resource trail log files → Test/Archive/Resource (ap-northeast-1); "
                                   "Test/Trail/Resource trail events → Test/Audit/Resource (ap-northeast-1)")


def test_noncompliance_3_trail_into_a_bucket_in_virginia():
    app = new_app()
    s3.Bucket(cdk.Stack(app, "Archive", env=VIRGINIA), "Bucket", bucket_name="tomolinks-trail")
    stack = cdk.Stack(app, "Test", env=TOKYO)
    cloudtrail.Trail(stack, "Trail", bucket=s3.Bucket.from_bucket_name(stack, "Imported", "tomolinks-trail"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("Test/Trail/Resource trail log files → Archive/Bucket/Resource named "
                                   "tomolinks-trail (us-east-1)")


def test_compliance_6_load_balancer_access_logs():
    stack = new_stack()
    balancer = elbv2.ApplicationLoadBalancer(stack, "Entry", vpc=_vpc(stack), internet_facing=True)
    balancer.log_access_logs(s3.Bucket(stack, "LoadBalancerLogs"))
    evaluation = _evaluation(stack, "Test/Entry/Resource")
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "Test/Entry/Resource access logs → Test/LoadBalancerLogs/Resource (ap-northeast-1)"


def test_compliance_7_load_balancer_logs_to_a_bucket_outside_the_app_stay_in_its_region():
    stack = new_stack()
    balancer = elbv2.ApplicationLoadBalancer(stack, "Entry", vpc=_vpc(stack), internet_facing=True)
    balancer.log_access_logs(s3.Bucket.from_bucket_name(stack, "Shared", "shared-elb-logs"))
    evaluation = _evaluation(stack, "Test/Entry/Resource")
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("Test/Entry/Resource access logs → shared-elb-logs, outside this app, which AWS "
                                   "requires in the source's own region (ap-northeast-1)")


def test_compliance_8_server_access_logs_and_no_logging():
    stack = new_stack()
    s3.Bucket(stack, "Data", server_access_logs_bucket=s3.Bucket(stack, "AccessLogs"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.resource.path == "Test/Data/Resource"
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "Test/Data/Resource server access logs → Test/AccessLogs/Resource (ap-northeast-1)"


def test_noncompliance_4_database_logs_in_virginia():
    stack = new_stack(VIRGINIA)
    rds.DatabaseCluster(stack, "Records", engine=rds.DatabaseClusterEngine.aurora_postgres(
        version=rds.AuroraPostgresEngineVersion.VER_16_6), writer=rds.ClusterInstance.serverless_v2("Writer"),
        vpc=_vpc(stack), vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
        cluster_identifier="records", cloudwatch_logs_exports=["postgresql"])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("Test/Records/Resource postgresql log → CloudWatch Logs "
                                   "/aws/rds/cluster/records/postgresql (us-east-1)")


def test_compliance_9_database_logs_in_tokyo():
    stack = new_stack()
    rds.DatabaseCluster(stack, "Records", engine=rds.DatabaseClusterEngine.aurora_postgres(
        version=rds.AuroraPostgresEngineVersion.VER_16_6), writer=rds.ClusterInstance.serverless_v2("Writer"),
        vpc=_vpc(stack), vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
        cloudwatch_logs_exports=["postgresql"])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.startswith("Test/Records/Resource postgresql log → CloudWatch Logs /aws/rds/cluster/")
    assert evaluation.evidence.endswith("/postgresql (ap-northeast-1)")


def test_noncompliance_5_subscription_to_a_stream_in_oregon():
    stack = new_stack()
    logs.CfnSubscriptionFilter(stack, "Forward", log_group_name="app", filter_pattern="",
                               destination_arn="arn:aws:kinesis:us-west-2:123456789012:stream/central")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("Test/Forward subscribed log events → "
                                   "arn:aws:kinesis:us-west-2:123456789012:stream/central (us-west-2)")


def test_compliance_10_delivery_stream_into_a_bucket_of_the_app():
    stack = new_stack()
    bucket = s3.Bucket(stack, "Records")
    firehose.CfnDeliveryStream(stack, "Stream", extended_s3_destination_configuration={
        "bucketArn": bucket.bucket_arn, "roleArn": "arn:aws:iam::123456789012:role/firehose"})
    evaluation = _evaluation(stack, "Test/Stream")
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "Test/Stream delivered records → Test/Records/Resource (ap-northeast-1)"
