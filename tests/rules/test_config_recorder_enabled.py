import aws_cdk as cdk
from aws_cdk import aws_config as config
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3

from nag_rules import Status
from nag_rules.rules.config_recorder_enabled import RULE
from tests.helpers import TOKYO, evaluations_of, new_stack, only

SERVICE_LINKED = "arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
Group = config.CfnConfigurationRecorder.RecordingGroupProperty


def _recorder(stack: cdk.Stack, role_arn: str = SERVICE_LINKED, **group) -> config.CfnConfigurationRecorder:
    group = group or {"all_supported": True, "include_global_resource_types": True}
    return config.CfnConfigurationRecorder(stack, "Recorder", role_arn=role_arn, recording_group=Group(**group))


def _channel(stack: cdk.Stack, bucket_name: str | None = None) -> config.CfnDeliveryChannel:
    if bucket_name is None:
        bucket_name = s3.Bucket(stack, "History").bucket_name
    return config.CfnDeliveryChannel(stack, "Channel", s3_bucket_name=bucket_name)


def test_noncompliance_1_regional_types_only_and_no_delivery_channel():
    stack = new_stack()
    _recorder(stack, all_supported=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == (
        "RecordingGroup IncludeGlobalResourceTypes = (absent: false): not every supported resource type, global "
        "IAM types included, is recorded; no AWS::Config::DeliveryChannel in aws://123456789012/ap-northeast-1: "
        "the recorder never starts")


def test_noncompliance_2_own_role_instead_of_the_service_linked_role():
    stack = new_stack()
    role = iam.Role(stack, "ConfigRole", assumed_by=iam.ServicePrincipal("config.amazonaws.com"))
    _recorder(stack, role_arn=role.role_arn)
    _channel(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("RoleARN names AWS::IAM::Role Test/ConfigRole/Resource, not AWS Config's "
                                   "service-linked role (Security Hub Config.1 fails)")


def test_noncompliance_3_service_linked_role_of_another_account_and_excluded_types():
    stack = new_stack()
    _recorder(stack, role_arn=SERVICE_LINKED.replace("123456789012", "210987654321"), all_supported=False,
              include_global_resource_types=True, exclusion_by_resource_types=config.CfnConfigurationRecorder
              .ExclusionByResourceTypesProperty(resource_types=["AWS::EC2::Instance"]),
              recording_strategy=config.CfnConfigurationRecorder.RecordingStrategyProperty(
                  use_only="EXCLUSION_BY_RESOURCE_TYPES"))
    _channel(stack)
    evidence = only(evaluations_of(stack, RULE)).evidence
    assert "RecordingGroup AllSupported = false, RecordingStrategy.UseOnly = EXCLUSION_BY_RESOURCE_TYPES" in evidence
    assert "RoleARN = arn:aws:iam::210987654321:role/aws-service-role/" in evidence


def test_noncompliance_4_delivery_to_a_bucket_outside_the_app_is_unresolved():
    stack = new_stack()
    _recorder(stack)
    _channel(stack, "central-config-history")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert evaluation.evidence == ("Test/Channel: S3BucketName = central-config-history, a bucket outside this app: "
                                   "whether it keeps the records cannot be known")


def test_noncompliance_5_role_from_a_parameter_is_unresolved():
    stack = new_stack()
    _recorder(stack, role_arn=cdk.CfnParameter(stack, "Role").value_as_string)
    _channel(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert evaluation.evidence == 'RoleARN = {"Ref":"Role"}'


def test_compliance_1_every_type_through_the_service_linked_role_delivered_in_the_app():
    stack = new_stack()
    recorder = _recorder(stack, role_arn=f"arn:{cdk.Aws.PARTITION}:iam::{cdk.Aws.ACCOUNT_ID}:role/aws-service-role/"
                                         "config.amazonaws.com/AWSServiceRoleForConfig")
    _channel(stack).add_dependency(recorder)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == (
        "RecordingGroup AllSupported = true, IncludeGlobalResourceTypes = true; RoleARN = " + SERVICE_LINKED
        + " (service-linked); started by delivery channel Test/Channel, delivering to Test/History/Resource")


def test_compliance_2_delivery_channel_in_another_stack_to_a_bucket_named_literally():
    stack = new_stack()
    _recorder(stack)
    s3.Bucket(stack, "History", bucket_name="config-history-123456789012")
    other = cdk.Stack(stack.node.scope, "Channels", env=TOKYO)
    _channel(other, "config-history-123456789012")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.endswith("started by delivery channel Channels/Channel, delivering to "
                                        "Test/History/Resource")
