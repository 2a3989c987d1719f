from aws_cdk import aws_iam as iam

from nag_rules import Status
from nag_rules.rules.no_iam_users import RULE
from tests.helpers import evaluations_of, new_stack, only


def test_noncompliance_1_iam_user():
    stack = new_stack()
    iam.User(stack, "Operator")
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_compliance_1_roles_only():
    stack = new_stack()
    iam.Role(stack, "Operator", assumed_by=iam.AccountRootPrincipal())
    assert evaluations_of(stack, RULE) == []
