from aws_cdk import aws_s3 as s3

from nag_rules import Status
from nag_rules.rules.s3_bucket_versioning import RULE
from tests.helpers import evaluations_of, new_stack, only


def test_noncompliance_1_versioning_never_enabled():
    stack = new_stack()
    s3.Bucket(stack, "Bucket")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "never enabled" in evaluation.evidence


def test_noncompliance_2_versioning_suspended():
    stack = new_stack()
    s3.CfnBucket(stack, "Bucket", versioning_configuration={"status": "Suspended"})
    assert "Suspended" in only(evaluations_of(stack, RULE)).evidence


def test_compliance_1_versioned():
    stack = new_stack()
    s3.Bucket(stack, "Bucket", versioned=True)
    assert only(evaluations_of(stack, RULE)).evidence == "VersioningConfiguration.Status = Enabled"
