import aws_cdk as cdk
from aws_cdk import aws_rds as rds

from nag_rules import Status
from nag_rules.rules.rds_iam_authentication import RULE
from tests.helpers import evaluations_of, new_stack, only


def _instance(stack, **props):
    return rds.CfnDBInstance(stack, "Database", engine="postgres", db_instance_class="db.t4g.micro",
                             allocated_storage="20", **props)


def test_noncompliance_1_password_only():
    stack = new_stack()
    _instance(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("EnableIAMDatabaseAuthentication = (absent: false)")


def test_compliance_1_iam_tokens():
    stack = new_stack()
    _instance(stack, enable_iam_database_authentication=True)
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT


def test_compliance_2_engines_without_iam_authentication_are_not_evaluated():
    stack = new_stack()
    rds.CfnDBInstance(stack, "Database", engine="sqlserver-ex", db_instance_class="db.t3.micro", allocated_storage="20")
    assert evaluations_of(stack, RULE) == []


def test_unresolved_1_flag_from_a_parameter():
    stack = new_stack()
    flag = cdk.CfnParameter(stack, "Iam", type="String")
    instance = _instance(stack)
    instance.add_property_override("EnableIAMDatabaseAuthentication", flag.value_as_string)
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED
