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


def test_noncompliance_2_anyone_with_mfa():
    stack = new_stack()
    iam.Role(stack, "Operator", assumed_by=iam.AnyPrincipal().with_conditions(MFA),
             max_session_duration=cdk.Duration.hours(1))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "Principal is '*': MFA of anyone at all"


def test_noncompliance_3_not_principal():
    stack = new_stack()
    role = iam.Role(stack, "Operator", assumed_by=iam.AccountRootPrincipal().with_conditions(MFA))
    role.node.default_child.add_property_override("AssumeRolePolicyDocument.Statement.0.NotPrincipal",
                                                  {"AWS": "arn:aws:iam::123456789012:user/someone"})
    role.node.default_child.add_property_deletion_override("AssumeRolePolicyDocument.Statement.0.Principal")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "NotPrincipal" in evaluation.evidence


def test_unresolved_1_identity_center_permission_set_only():
    stack = new_stack()
    iam.Role(stack, "Operator", max_session_duration=cdk.Duration.hours(1),
             assumed_by=iam.AccountRootPrincipal().with_conditions({"ArnLike": {"aws:PrincipalArn": (
                 "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_Operators_*")}}))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "IAM Identity Center" in evaluation.evidence


def test_compliance_3_the_operator_role_from_an_identity_account():
    from constructs_lib.operations import OperatorRole, SessionManagerLogging
    from constructs_lib.keys import DataClassKey
    from constructs_lib.data_classification import DataClass

    stack = new_stack()
    key = DataClassKey(stack, "Key", data_class=DataClass.OPERATIONS, alias_prefix="test")
    sessions = SessionManagerLogging(stack, "Sessions", key=key, log_retention_days=365)
    OperatorRole(stack, "Operator", sessions=sessions, auto_scaling_group_name="servers",
                 identity_account="210987654321")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.endswith("only with aws:MultiFactorAuthPresent = true")
