import aws_cdk as cdk
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_config as config
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3

from nag_rules import Status
from nag_rules.rules.log_archive_locked import RULE
from tests.helpers import TOKYO, evaluations_of, new_app, new_stack, only


def _locked_bucket(stack: cdk.Stack, retention: s3.ObjectLockRetention | None = None, **props) -> s3.Bucket:
    return s3.Bucket(stack, "Archive", versioned=True, object_lock_enabled=True,
                     object_lock_default_retention=retention or s3.ObjectLockRetention.governance(
                         cdk.Duration.days(365)), **props)


def _deny(bucket: s3.Bucket, actions: list[str], resource: str | None = None, **conditions) -> None:
    bucket.add_to_resource_policy(iam.PolicyStatement(
        sid="DenyDeletingLogs", effect=iam.Effect.DENY, principals=[iam.AnyPrincipal()], actions=actions,
        resources=[resource or bucket.arn_for_objects("*")], conditions=conditions or None))


def test_noncompliance_1_trail_bucket_without_object_lock():
    stack = new_stack()
    cloudtrail.Trail(stack, "Trail")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.resource.path == "Test/Trail/S3/Resource"
    assert evaluation.status is Status.VIOLATED
    assert "ObjectLockEnabled = (absent: false)" in evaluation.evidence
    assert "VersioningConfiguration.Status = (absent: never enabled)" in evaluation.evidence


def test_noncompliance_2_retention_under_a_year():
    stack = new_stack()
    bucket = _locked_bucket(stack, s3.ObjectLockRetention.compliance(cdk.Duration.days(90)))
    _deny(bucket, ["s3:DeleteObject", "s3:DeleteObjectVersion"])
    cloudtrail.Trail(stack, "Trail", bucket=bucket)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "DefaultRetention = 90 days (< 365 days)"


def test_noncompliance_3_no_deny_of_deleting_objects():
    stack = new_stack()
    cloudtrail.Trail(stack, "Trail", bucket=_locked_bucket(stack))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "no statement denies s3:DeleteObject and s3:DeleteObjectVersion" in evaluation.evidence


def test_noncompliance_4_deny_that_exempts_some_principals():
    stack = new_stack()
    bucket = _locked_bucket(stack)
    _deny(bucket, ["s3:Delete*"], ArnNotLike={"aws:PrincipalArn": "arn:aws:iam::123456789012:role/Admin"})
    cloudtrail.Trail(stack, "Trail", bucket=bucket)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "denies deleting only when" in evaluation.evidence and "ArnNotLike" in evaluation.evidence


def test_noncompliance_5_deny_of_delete_object_alone():
    stack = new_stack()
    bucket = _locked_bucket(stack)
    _deny(bucket, ["s3:DeleteObject"])
    cloudtrail.Trail(stack, "Trail", bucket=bucket)
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_6_deny_of_one_prefix_only():
    stack = new_stack()
    bucket = _locked_bucket(stack)
    _deny(bucket, ["s3:*"], bucket.arn_for_objects("AWSLogs/*"))
    cloudtrail.Trail(stack, "Trail", bucket=bucket)
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_7_retention_from_a_parameter_is_unresolved():
    stack = new_stack()
    days = cdk.CfnParameter(stack, "Days", type="Number")
    bucket = _locked_bucket(stack)
    _deny(bucket, ["s3:DeleteObject", "s3:DeleteObjectVersion"])
    bucket.node.default_child.add_property_override(
        "ObjectLockConfiguration.Rule.DefaultRetention.Days", days.value_as_number)
    cloudtrail.Trail(stack, "Trail", bucket=bucket)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "DefaultRetention" in evaluation.evidence and "Ref" in evaluation.evidence


def test_noncompliance_8_trail_in_another_stack_makes_the_bucket_a_log_archive():
    app = new_app()
    storage = cdk.Stack(app, "Storage", env=TOKYO)
    audit = cdk.Stack(app, "Audit", env=TOKYO)
    bucket = s3.Bucket(storage, "Logs")
    cloudtrail.CfnTrail(audit, "Trail", is_logging=True, s3_bucket_name=bucket.bucket_name)
    evaluation = only(evaluations_of(app, RULE))
    assert evaluation.resource.path == "Storage/Logs/Resource"
    assert evaluation.status is Status.VIOLATED
    assert "ObjectLockEnabled = (absent: false)" in evaluation.evidence


def test_compliance_1_governance_lock_versioning_and_deny():
    stack = new_stack()
    bucket = _locked_bucket(stack)
    _deny(bucket, ["s3:DeleteObject", "s3:DeleteObjectVersion"])
    cloudtrail.Trail(stack, "Trail", bucket=bucket)
    s3.Bucket(stack, "Other")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    for expected in ("receives logs from Test/Trail/Resource", "Object Lock GOVERNANCE mode, 365 days",
                     "s3:BypassGovernanceRetention", "VersioningConfiguration.Status = Enabled",
                     "Test/Archive/Policy/Resource (DenyDeletingLogs) denies"):
        assert expected in evaluation.evidence


def test_compliance_2_config_channel_by_literal_name_without_object_lock_and_with_wildcards():
    stack = new_stack()
    bucket = s3.Bucket(stack, "Archive", versioned=True, bucket_name="config-archive-123456789012")
    _deny(bucket, ["s3:Delete*"], "arn:aws:s3:::config-archive-123456789012/*")
    config.CfnDeliveryChannel(stack, "Channel", s3_bucket_name="config-archive-123456789012")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "receives logs from Test/Channel" in evaluation.evidence
    assert "AWS Config cannot deliver to a bucket that has it" in evaluation.evidence


def test_noncompliance_9_config_channel_into_an_object_lock_bucket_would_deliver_nothing():
    stack = new_stack()
    bucket = _locked_bucket(stack, s3.ObjectLockRetention.compliance(cdk.Duration.days(730)))
    _deny(bucket, ["s3:Delete*"])
    config.CfnDeliveryChannel(stack, "Channel", s3_bucket_name=bucket.bucket_name)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "AWS Config refuses to deliver" in evaluation.evidence


def test_compliance_3_deny_of_every_delete_on_every_resource():
    stack = new_stack()
    bucket = _locked_bucket(stack)
    _deny(bucket, ["s3:Delete*"], "*")
    cloudtrail.Trail(stack, "Trail", bucket=bucket)
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT


def test_compliance_4_buckets_without_log_writers_are_not_checked():
    stack = new_stack()
    s3.Bucket(stack, "Data")
    assert evaluations_of(stack, RULE) == []
