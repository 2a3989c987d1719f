import aws_cdk as cdk
from aws_cdk import aws_backup as backup
from aws_cdk import aws_events as events

from nag_rules import Status
from nag_rules.rules.backup_plan_daily_retention import RULE
from tests.helpers import evaluations_of, new_stack, only


def _plan(stack, *rules):
    plan = backup.BackupPlan(stack, "Plan", backup_vault=backup.BackupVault(stack, "Vault"))
    for rule in rules:
        plan.add_rule(rule)
    return plan


def _cfn_plan(stack, delete_after_days=None, **rule):
    lifecycle = None if delete_after_days is None else backup.CfnBackupPlan.LifecycleResourceTypeProperty(
        delete_after_days=delete_after_days)
    return backup.CfnBackupPlan(stack, "Plan", backup_plan=backup.CfnBackupPlan.BackupPlanResourceTypeProperty(
        backup_plan_name="plan", backup_plan_rule=[backup.CfnBackupPlan.BackupRuleResourceTypeProperty(
            rule_name="Rule", target_backup_vault="vault", lifecycle=lifecycle, **rule)]))


def test_noncompliance_1_weekly_and_monthly_only():
    stack = new_stack()
    vault = backup.BackupVault(stack, "Vault")
    backup.BackupPlan(stack, "Plan", backup_plan_rules=[
        backup.BackupPlanRule.weekly(vault), backup.BackupPlanRule.monthly1_year(vault)])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "only on day-of-week SAT" in evaluation.evidence and "only on day 1 of the month" in evaluation.evidence


def test_noncompliance_2_daily_but_kept_three_days():
    stack = new_stack()
    _plan(stack, backup.BackupPlanRule(rule_name="Daily", schedule_expression=events.Schedule.cron(hour="3", minute="0"),
                                       delete_after=cdk.Duration.days(3)))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert 'rule "Daily" runs daily at 03:00 UTC' in evaluation.evidence
    assert "Lifecycle.DeleteAfterDays = 3), < 7" in evaluation.evidence


def test_noncompliance_3_rate_expressions_are_not_taken_by_aws_backup():
    stack = new_stack()
    _cfn_plan(stack, schedule_expression="rate(1 day)", delete_after_days=7)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "only cron expressions" in evaluation.evidence


def test_noncompliance_4_deploy_time_schedule_is_unresolved():
    stack = new_stack()
    schedule = cdk.CfnParameter(stack, "Schedule")
    _cfn_plan(stack, schedule_expression=schedule.value_as_string, delete_after_days=7)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED and "ScheduleExpression" in evaluation.evidence


def test_noncompliance_5_deploy_time_retention_is_unresolved():
    stack = new_stack()
    days = cdk.CfnParameter(stack, "Days", type="Number")
    _cfn_plan(stack, schedule_expression="cron(0 18 * * ? *)", delete_after_days=days.value_as_number)
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def test_compliance_1_daily_kept_a_week():
    stack = new_stack()
    _plan(stack, backup.BackupPlanRule(rule_name="Daily", schedule_expression=events.Schedule.cron(hour="18", minute="0"),
                                       delete_after=cdk.Duration.days(7)))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ('rule "Daily" runs daily at 18:00 UTC (cron(0 18 * * ? *)) and keeps each backup '
                                   "7 days (Lifecycle.DeleteAfterDays = 7)")


def test_compliance_2_hourly_without_expiry_in_tokyo_time():
    stack = new_stack()
    _cfn_plan(stack, schedule_expression="cron(15 * ? * * *)", schedule_expression_timezone="Asia/Tokyo")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "hourly at minute 15 (Asia/Tokyo)" in evaluation.evidence
    assert "until it is deleted (no Lifecycle.DeleteAfterDays)" in evaluation.evidence


def test_compliance_3_one_daily_rule_among_weekly_ones():
    stack = new_stack()
    vault = backup.BackupVault(stack, "Vault")
    backup.BackupPlan(stack, "Plan", backup_plan_rules=[
        backup.BackupPlanRule.weekly(vault), backup.BackupPlanRule.daily(vault)])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "daily at 05:00 UTC" in evaluation.evidence and "35 days" in evaluation.evidence


def test_compliance_4_no_schedule_runs_on_the_aws_backup_default():
    stack = new_stack()
    _cfn_plan(stack, delete_after_days=14)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "no ScheduleExpression, so AWS Backup runs it daily at 05:00 UTC" in evaluation.evidence
