import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_s3 as s3

from nag_rules import Status
from nag_rules.rules.vpc_flow_logs import RULE
from tests.helpers import evaluations_of, new_stack, only, retained_logs


def _vpc(stack, construct_id="Vpc"):
    return ec2.Vpc(stack, construct_id, max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])


def _to_logs(stack, vpc, traffic=ec2.FlowLogTrafficType.ALL, group=None):
    group = group or retained_logs(stack)
    vpc.add_flow_log("FlowLog", destination=ec2.FlowLogDestination.to_cloud_watch_logs(group), traffic_type=traffic)


def _bucket(stack, **props):
    return s3.Bucket(stack, "FlowLogBucket", removal_policy=cdk.RemovalPolicy.RETAIN, **props)


def test_noncompliance_1_vpc_without_flow_log():
    stack = new_stack()
    _vpc(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "no AWS::EC2::FlowLog records this VPC's traffic"


def test_noncompliance_2_flow_log_of_rejected_traffic_only():
    stack = new_stack()
    _to_logs(stack, _vpc(stack), traffic=ec2.FlowLogTrafficType.REJECT)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "Test/Vpc/FlowLog/FlowLog records only REJECT traffic, not ALL"


def test_noncompliance_3_flow_log_of_another_vpc_does_not_count():
    stack = new_stack()
    _vpc(stack)
    _to_logs(stack, _vpc(stack, "Other"))
    statuses = {e.resource.path: e.status for e in evaluations_of(stack, RULE)}
    assert statuses == {"Test/Vpc/Resource": Status.VIOLATED, "Test/Other/Resource": Status.COMPLIANT}


def test_noncompliance_4_log_group_without_kms_key():
    stack = new_stack()
    _vpc(stack).add_flow_log("FlowLog", traffic_type=ec2.FlowLogTrafficType.ALL)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.endswith("no KmsKeyId: the flow log is not encrypted with a KMS key")


def test_noncompliance_5_log_group_kept_a_month():
    stack = new_stack()
    group = retained_logs(stack)
    group.node.default_child.add_property_override("RetentionInDays", 30)
    _to_logs(stack, _vpc(stack), group=group)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.endswith("RetentionInDays = 30 (< 365)")


def test_noncompliance_6_bucket_expiring_logs_after_30_days():
    stack = new_stack()
    bucket = _bucket(stack, encryption=s3.BucketEncryption.KMS,
                     lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(30))])
    _vpc(stack).add_flow_log("FlowLog", destination=ec2.FlowLogDestination.to_s3(bucket, "flow/"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "lifecycle rule 0 expires objects after ExpirationInDays = 30 (< 365)" in evaluation.evidence


def test_noncompliance_7_bucket_without_declared_encryption():
    stack = new_stack()
    _vpc(stack).add_flow_log("FlowLog", destination=ec2.FlowLogDestination.to_s3(_bucket(stack)))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "no BucketEncryption SSEAlgorithm" in evaluation.evidence


def test_noncompliance_8_log_group_outside_the_app_is_unresolved():
    stack = new_stack()
    vpc = _vpc(stack)
    ec2.CfnFlowLog(stack, "FlowLog", resource_id=vpc.vpc_id, resource_type="VPC", traffic_type="ALL",
                   log_group_name="existing-flow-logs", deliver_logs_permission_arn="arn:aws:iam::123456789012:role/f")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert evaluation.evidence == ("Test/FlowLog writes to existing-flow-logs, outside this app: its encryption and "
                                   "retention cannot be known")


def test_compliance_1_all_traffic_to_an_encrypted_log_group_kept_a_year():
    stack = new_stack()
    _to_logs(stack, _vpc(stack))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("Test/Vpc/FlowLog/FlowLog records ALL traffic to Test/Logs/Resource: "
                                   "KmsKeyId = Test/LogsKey/Resource, RetentionInDays = 365")


def test_compliance_2_log_group_kept_forever():
    stack = new_stack()
    group = retained_logs(stack)
    group.node.default_child.add_property_deletion_override("RetentionInDays")
    _to_logs(stack, _vpc(stack), group=group)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.endswith("RetentionInDays absent (kept forever)")


def test_compliance_3_sse_kms_bucket_kept_two_years():
    stack = new_stack()
    bucket = _bucket(stack, encryption=s3.BucketEncryption.KMS,
                     lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(731))])
    _vpc(stack).add_flow_log("FlowLog", destination=ec2.FlowLogDestination.to_s3(bucket, "flow/"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("Test/Vpc/FlowLog/FlowLog records ALL traffic to Test/FlowLogBucket/Resource: "
                                   "SSEAlgorithm = aws:kms, no lifecycle expiration under 365 days")
