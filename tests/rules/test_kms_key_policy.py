from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms

from nag_rules import Status
from nag_rules.rules.kms_key_policy import RULE
from tests.helpers import evaluations_of, new_stack, only


def test_noncompliance_1_anyone_may_decrypt():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    key.add_to_resource_policy(iam.PolicyStatement(sid="Open", actions=["kms:Decrypt"], resources=["*"],
                                                   principals=[iam.AnyPrincipal()]))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "statement Open" in evaluation.evidence


def test_compliance_1_default_policy_names_the_account():
    stack = new_stack()
    kms.Key(stack, "Key", enable_key_rotation=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "arn:aws:iam::123456789012:root" in evaluation.evidence


def test_compliance_2_any_principal_pinned_to_the_account():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    key.add_to_resource_policy(iam.PolicyStatement(
        actions=["kms:Decrypt"], resources=["*"], principals=[iam.AnyPrincipal()],
        conditions={"StringEquals": {"kms:CallerAccount": "123456789012"}}))
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT
