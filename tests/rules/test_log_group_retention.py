import aws_cdk as cdk
from aws_cdk import aws_logs as logs

from nag_rules import Outcome, Status
from nag_rules.rules.log_group_retention import RULE
from tests.helpers import evaluations_of, new_stack, only


def test_noncompliance_1_retention_under_a_year():
    stack = new_stack()
    logs.LogGroup(stack, "Logs", retention=logs.RetentionDays.SIX_MONTHS)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "RetentionInDays = 180 (< 365)"


def test_noncompliance_2_retention_from_a_parameter_is_unresolved():
    stack = new_stack()
    days = cdk.CfnParameter(stack, "Days", type="Number")
    logs.CfnLogGroup(stack, "Logs", retention_in_days=days.value_as_number)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert evaluation.outcome is Outcome.UNRESOLVED
    assert "Ref" in evaluation.evidence


def test_compliance_1_one_year():
    stack = new_stack()
    logs.LogGroup(stack, "Logs", retention=logs.RetentionDays.ONE_YEAR)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "RetentionInDays = 365"


def test_compliance_2_never_expires():
    stack = new_stack()
    logs.LogGroup(stack, "Logs", retention=logs.RetentionDays.INFINITE)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "never expire" in evaluation.evidence


def test_noncompliance_3_retention_written_as_text_is_read_as_days():
    stack = new_stack()
    group = logs.LogGroup(stack, "Logs", retention=logs.RetentionDays.ONE_YEAR)
    group.node.default_child.add_property_override("RetentionInDays", "90")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "RetentionInDays = 90 (< 365)"
