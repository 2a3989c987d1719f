import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from nag_rules import Status
from nag_rules.rules.human_role_trust import RULE
from tests.helpers import evaluations_of, new_stack, only

MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def test_noncompliance_1_twelve_hour_sessions():
    stack = new_stack()
    iam.Role(stack, "Operator", assumed_by=iam.AccountRootPrincipal().with_conditions(MFA),
             max_session_duration=cdk.Duration.hours(12))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "MaxSessionDuration = 43200 seconds (> 3600)"


def test_noncompliance_2_anyone():
    stack = new_stack()
    iam.Role(stack, "Operator", assumed_by=iam.AnyPrincipal().with_conditions(MFA))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("Principal is '*'")


def test_noncompliance_3_not_principal():
    stack = new_stack()
    role = iam.Role(stack, "Operator", assumed_by=iam.AccountRootPrincipal())
    role.node.default_child.add_property_override("AssumeRolePolicyDocument.Statement.0.NotPrincipal",
                                                  {"AWS": "arn:aws:iam::123456789012:user/someone"})
    role.node.default_child.add_property_deletion_override("AssumeRolePolicyDocument.Statement.0.Principal")
    assert "NotPrincipal" in only(evaluations_of(stack, RULE)).evidence


def test_unresolved_1_session_length_known_only_at_deploy_time():
    stack = new_stack()
    hours = cdk.CfnParameter(stack, "Seconds", type="Number")
    role = iam.Role(stack, "Operator", assumed_by=iam.AccountRootPrincipal())
    role.node.default_child.add_property_override("MaxSessionDuration", hours.value_as_number)
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def test_compliance_1_named_account_one_hour():
    stack = new_stack()
    iam.Role(stack, "Operator", assumed_by=iam.AccountPrincipal("210987654321"),
             max_session_duration=cdk.Duration.hours(1))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.endswith("MaxSessionDuration = 3600 s")


def test_compliance_2_service_roles_are_not_evaluated():
    stack = new_stack()
    iam.Role(stack, "Servers", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    assert evaluations_of(stack, RULE) == []
