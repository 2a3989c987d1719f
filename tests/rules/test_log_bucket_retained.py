import aws_cdk as cdk
from aws_cdk import aws_s3 as s3

from constructs_lib.buckets import deny_object_deletion
from nag_rules import Status
from nag_rules.rules.log_bucket_retained import RULE
from tests.helpers import evaluations_of, new_stack, only


def _logs(stack, **props):
    logs = s3.Bucket(stack, "Logs", versioned=True, removal_policy=cdk.RemovalPolicy.RETAIN, **props)
    s3.Bucket(stack, "Data", server_access_logs_bucket=logs, removal_policy=cdk.RemovalPolicy.RETAIN)
    return logs


def _evaluation(stack):
    return only([e for e in evaluations_of(stack, RULE) if e.resource.path == "Test/Logs/Resource"])


def test_noncompliance_1_access_logs_expire_after_a_month():
    stack = new_stack()
    logs = _logs(stack, lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(30))])
    deny_object_deletion(logs)
    evaluation = _evaluation(stack)
    assert evaluation.status is Status.VIOLATED
    assert "ExpirationInDays = 30 (< 365)" in evaluation.evidence


def test_noncompliance_2_access_logs_may_be_deleted():
    stack = new_stack()
    _logs(stack)
    evaluation = _evaluation(stack)
    assert evaluation.status is Status.VIOLATED
    assert "denies" in evaluation.evidence


def test_noncompliance_3_overwritten_logs_expire_early():
    stack = new_stack()
    logs = _logs(stack, lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(400),
                                                          noncurrent_version_expiration=cdk.Duration.days(1))])
    deny_object_deletion(logs)
    assert "NoncurrentVersionExpiration.NoncurrentDays = 1 (< 365)" in _evaluation(stack).evidence


def test_compliance_1_kept_a_year_and_never_deletable():
    stack = new_stack()
    logs = _logs(stack, lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(365),
                                                          noncurrent_version_expiration=cdk.Duration.days(365))])
    deny_object_deletion(logs)
    evaluation = _evaluation(stack)
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.startswith("receives logs of Test/Data/Resource (server access logs); kept "
                                          "ExpirationInDays = 365, NoncurrentVersionExpiration.NoncurrentDays = 365 days")


def test_compliance_2_buckets_without_logs_are_not_checked():
    stack = new_stack()
    s3.Bucket(stack, "Plain", removal_policy=cdk.RemovalPolicy.RETAIN)
    assert evaluations_of(stack, RULE) == []


def test_unresolved_1_retention_from_a_parameter():
    stack = new_stack()
    logs = _logs(stack)
    deny_object_deletion(logs)
    days = cdk.CfnParameter(stack, "Days", type="Number")
    logs.node.default_child.add_property_override(
        "LifecycleConfiguration", {"Rules": [{"Status": "Enabled", "ExpirationInDays": days.value_as_number}]})
    assert _evaluation(stack).status is Status.UNRESOLVED
