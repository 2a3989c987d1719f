import aws_cdk as cdk
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3

from nag_rules import Status
from nag_rules.rules.cloud_trail_protected import RULE
from tests.helpers import evaluations_of, new_stack, only


def _protected_trail(stack: cdk.Stack, **props) -> cloudtrail.Trail:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    group = logs.LogGroup(stack, "TrailLogs", retention=logs.RetentionDays.ONE_YEAR, encryption_key=key)
    return cloudtrail.Trail(stack, "Trail", encryption_key=key, send_to_cloud_watch_logs=True,
                            cloud_watch_log_group=group, **props)


def test_noncompliance_1_default_trail_has_no_key_and_no_cloudwatch_logs():
    stack = new_stack()
    cloudtrail.Trail(stack, "Trail")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "KMSKeyId absent" in evaluation.evidence
    assert "CloudWatchLogsLogGroupArn absent" in evaluation.evidence


def test_noncompliance_2_single_region_without_validation():
    stack = new_stack()
    cloudtrail.CfnTrail(stack, "Trail", is_logging=True, s3_bucket_name="logs-bucket",
                        kms_key_id=kms.Key(stack, "Key").key_arn)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "IsMultiRegionTrail = (absent: false)" in evaluation.evidence
    assert "EnableLogFileValidation = (absent: false)" in evaluation.evidence
    assert "IsLogging" not in evaluation.evidence


def test_noncompliance_3_aws_managed_key_and_stopped_logging():
    stack = new_stack()
    trail = _protected_trail(stack)
    child = trail.node.default_child
    child.add_property_override("KMSKeyId", "alias/aws/cloudtrail")
    child.add_property_override("IsLogging", False)
    evidence = only(evaluations_of(stack, RULE)).evidence
    assert "AWS managed key" in evidence
    assert "IsLogging = false" in evidence


def test_noncompliance_4_write_only_management_events():
    stack = new_stack()
    _protected_trail(stack, management_events=cloudtrail.ReadWriteType.WRITE_ONLY)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "only WriteOnly" in evaluation.evidence


def test_noncompliance_5_global_service_events_excluded():
    stack = new_stack()
    _protected_trail(stack, include_global_service_events=False, is_multi_region_trail=False)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "IncludeGlobalServiceEvents = false" in evaluation.evidence


def test_noncompliance_6_key_from_a_parameter_is_unresolved():
    stack = new_stack()
    key = cdk.CfnParameter(stack, "KeyArn")
    trail = _protected_trail(stack)
    trail.node.default_child.add_property_override("KMSKeyId", key.value_as_string)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "KMSKeyId" in evaluation.evidence and "Ref" in evaluation.evidence


def test_noncompliance_7_log_group_outside_the_app_is_unresolved():
    stack = new_stack()
    trail = _protected_trail(stack)
    trail.node.default_child.add_property_override(
        "CloudWatchLogsLogGroupArn", "arn:aws:logs:ap-northeast-1:123456789012:log-group:elsewhere:*")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "not a log group of this app" in evaluation.evidence


def test_compliance_1_multi_region_validated_encrypted_and_in_cloudwatch_logs():
    stack = new_stack()
    _protected_trail(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    for expected in ("IsLogging = true", "IsMultiRegionTrail = true", "IncludeGlobalServiceEvents = true",
                     "EnableLogFileValidation = true", "KMSKeyId = Test/Key/Resource (customer managed)",
                     "delivered to CloudWatch Logs Test/TrailLogs/Resource", "management events: read and write",
                     "log files delivered to Test/Trail/S3/Resource"):
        assert expected in evaluation.evidence


def test_compliance_2_advanced_selectors_of_read_and_write_management_events():
    stack = new_stack()
    trail = _protected_trail(stack)
    trail.node.default_child.add_property_override("AdvancedEventSelectors", [
        {"Name": "reads", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                             {"Field": "readOnly", "Equals": ["true"]}]},
        {"Name": "writes", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                              {"Field": "readOnly", "NotEquals": ["true"]}]},
    ])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "(AdvancedEventSelectors)" in evaluation.evidence


def test_noncompliance_8_advanced_selector_that_drops_an_event_source():
    stack = new_stack()
    trail = _protected_trail(stack)
    trail.node.default_child.add_property_override("AdvancedEventSelectors", [
        {"Name": "no-kms", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                              {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]}]},
    ])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "no-kms filters management events by eventSource" in evaluation.evidence


def _trail_into(stack: cdk.Stack, bucket_name: str) -> None:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    group = logs.LogGroup(stack, "TrailLogs", retention=logs.RetentionDays.ONE_YEAR, encryption_key=key)
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("cloudtrail.amazonaws.com"))
    cloudtrail.CfnTrail(stack, "Trail", is_logging=True, s3_bucket_name=bucket_name, is_multi_region_trail=True,
                        enable_log_file_validation=True, kms_key_id=key.key_arn,
                        cloud_watch_logs_log_group_arn=group.log_group_arn, cloud_watch_logs_role_arn=role.role_arn)


def test_noncompliance_9_bucket_outside_the_app_is_unresolved():
    stack = new_stack()
    _trail_into(stack, "some-unlocked-bucket")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert evaluation.evidence == ("S3BucketName = some-unlocked-bucket: the archive bucket is outside this app, "
                                   "so whether it is write-once cannot be known")


def test_compliance_3_bucket_of_the_app_named_literally():
    stack = new_stack()
    s3.Bucket(stack, "Archive", bucket_name="trail-archive-123456789012")
    _trail_into(stack, "trail-archive-123456789012")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "log files delivered to Test/Archive/Resource (S3BucketName = trail-archive-123456789012)" in \
        evaluation.evidence
