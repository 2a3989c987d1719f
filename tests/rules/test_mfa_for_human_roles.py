import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from nag_rules import Status
from nag_rules.rules.mfa_for_human_roles import RULE
from tests.helpers import evaluations_of, new_stack, only

MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def test_noncompliance_1_account_may_assume_without_mfa():
    stack = new_stack()
    iam.Role(stack, "Operator", assumed_by=iam.AccountRootPrincipal())
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "without MFA" in evaluation.evidence


def test_noncompliance_2_mfa_but_twelve_hour_sessions():
    stack = new_stack()
    iam.Role(stack, "Operator", assumed_by=iam.AccountRootPrincipal().with_conditions(MFA),
             max_session_duration=cdk.Duration.hours(12))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "MaxSessionDuration = 43200" in evaluation.evidence


def test_compliance_1_mfa_and_one_hour():
    stack = new_stack()
    iam.Role(stack, "Operator", assumed_by=iam.AccountRootPrincipal().with_conditions(MFA),
             max_session_duration=cdk.Duration.hours(1))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT


def test_compliance_2_service_roles_are_not_evaluated():
    stack = new_stack()
    iam.Role(stack, "Servers", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    assert evaluations_of(stack, RULE) == []
