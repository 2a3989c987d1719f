from aws_cdk import aws_s3 as s3

from nag_rules import Status
from nag_rules.rules.s3_bucket_public_access_block import RULE
from tests.helpers import evaluations_of, new_stack, only


def test_noncompliance_1_no_block():
    stack = new_stack()
    s3.CfnBucket(stack, "Bucket")
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_2_policies_allowed():
    stack = new_stack()
    s3.Bucket(stack, "Bucket", block_public_access=s3.BlockPublicAccess.BLOCK_ACLS_ONLY)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "BlockPublicPolicy" in evaluation.evidence and "RestrictPublicBuckets" in evaluation.evidence


def test_compliance_1_block_all():
    stack = new_stack()
    s3.Bucket(stack, "Bucket", block_public_access=s3.BlockPublicAccess.BLOCK_ALL)
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT
