import aws_cdk as cdk
from aws_cdk import aws_backup as backup
from aws_cdk import aws_events as events
from aws_cdk import aws_kms as kms

from nag_rules import Status
from nag_rules.rules.backup_plan_daily_retention import RULE
from tests.helpers import TOKYO, evaluations_of, new_app, new_stack, only


def _vault(stack, construct_id="Vault", name=None, lock_days=7, key=True, **lock):
    return backup.BackupVault(
        stack, construct_id, backup_vault_name=name,
        encryption_key=kms.Key(stack, f"{construct_id}Key", enable_key_rotation=True) if key else None,
        lock_configuration=backup.LockConfiguration(min_retention=cdk.Duration.days(lock_days), **lock)
        if lock_days else None)


def _plan(stack, *rules, vault=None):
    plan = backup.BackupPlan(stack, "Plan", backup_vault=vault or _vault(stack))
    for rule in rules:
        plan.add_rule(rule)
    return plan


def _cfn_plan(stack, delete_after_days=None, target_backup_vault="vault", **rule):
    lifecycle = None if delete_after_days is None else backup.CfnBackupPlan.LifecycleResourceTypeProperty(
        delete_after_days=delete_after_days)
    return backup.CfnBackupPlan(stack, "Plan", backup_plan=backup.CfnBackupPlan.BackupPlanResourceTypeProperty(
        backup_plan_name="plan", backup_plan_rule=[backup.CfnBackupPlan.BackupRuleResourceTypeProperty(
            rule_name="Rule", target_backup_vault=target_backup_vault, lifecycle=lifecycle, **rule)]))


def _daily(days=7):
    return backup.BackupPlanRule(rule_name="Daily", schedule_expression=events.Schedule.cron(hour="18", minute="0"),
                                 delete_after=cdk.Duration.days(days))


def test_noncompliance_1_weekly_and_monthly_only():
    stack = new_stack()
    vault = _vault(stack)
    backup.BackupPlan(stack, "Plan", backup_plan_rules=[
        backup.BackupPlanRule.weekly(vault), backup.BackupPlanRule.monthly1_year(vault)])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "only on day-of-week SAT" in evaluation.evidence and "only on day 1 of the month" in evaluation.evidence


def test_noncompliance_2_daily_but_kept_three_days():
    stack = new_stack()
    _plan(stack, _daily(3), vault=_vault(stack, lock_days=None))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert 'rule "Daily" runs daily at 18:00 UTC' in evaluation.evidence
    assert "Lifecycle.DeleteAfterDays = 3), < 7" in evaluation.evidence


def test_noncompliance_3_rate_expressions_are_not_taken_by_aws_backup():
    stack = new_stack()
    _vault(stack, name="vault")
    _cfn_plan(stack, schedule_expression="rate(1 day)", delete_after_days=7)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "only cron expressions" in evaluation.evidence


def test_noncompliance_4_deploy_time_schedule_is_unresolved():
    stack = new_stack()
    _vault(stack, name="vault")
    schedule = cdk.CfnParameter(stack, "Schedule")
    _cfn_plan(stack, schedule_expression=schedule.value_as_string, delete_after_days=7)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED and "ScheduleExpression" in evaluation.evidence


def test_noncompliance_5_deploy_time_retention_is_unresolved():
    stack = new_stack()
    _vault(stack, name="vault")
    days = cdk.CfnParameter(stack, "Days", type="Number")
    _cfn_plan(stack, schedule_expression="cron(0 18 * * ? *)", delete_after_days=days.value_as_number)
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def test_noncompliance_6_no_expiry_must_be_written_out():
    stack = new_stack()
    _vault(stack, name="vault")
    _cfn_plan(stack, schedule_expression="cron(15 * ? * * *)", schedule_expression_timezone="Asia/Tokyo")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "hourly at minute 15 (Asia/Tokyo)" in evaluation.evidence
    assert "kept until deleted by hand: write the 7-day retention out" in evaluation.evidence


def test_noncompliance_7_the_accounts_default_vault():
    stack = new_stack()
    _cfn_plan(stack, schedule_expression="cron(0 18 * * ? *)", delete_after_days=7, target_backup_vault="Default")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "TargetBackupVault = Default: the account's default vault" in evaluation.evidence


def test_noncompliance_8_vault_outside_the_app_is_unresolved():
    stack = new_stack()
    _cfn_plan(stack, schedule_expression="cron(0 18 * * ? *)", delete_after_days=7, target_backup_vault="elsewhere")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "TargetBackupVault = elsewhere: no vault of this app in aws://123456789012/ap-northeast-1" in \
        evaluation.evidence


def test_noncompliance_9_unlocked_vault():
    stack = new_stack()
    _plan(stack, _daily(), vault=_vault(stack, lock_days=None))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "Test/Vault/Resource: no LockConfiguration" in evaluation.evidence


def test_noncompliance_10_vault_with_the_aws_managed_key():
    stack = new_stack()
    _plan(stack, _daily(), vault=_vault(stack, key=False))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "Test/Vault/Resource has no EncryptionKeyArn" in evaluation.evidence


def test_noncompliance_11_retention_shorter_than_the_vault_lock():
    stack = new_stack()
    _plan(stack, _daily(7), vault=_vault(stack, lock_days=14))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "Test/Vault/Resource's LockConfiguration.MinRetentionDays = 14 is longer than the 7-day retention of each " \
           "backup: the vault fails every job" in evaluation.evidence


def test_noncompliance_12_vault_of_another_region_by_name():
    app = new_app()
    osaka = cdk.Stack(app, "Osaka", env=cdk.Environment(account=TOKYO.account, region="ap-northeast-3"))
    _vault(osaka, name="vault")
    stack = cdk.Stack(app, "Test", env=TOKYO)
    _cfn_plan(stack, schedule_expression="cron(0 18 * * ? *)", delete_after_days=7)
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def test_compliance_1_daily_kept_a_week_in_a_locked_encrypted_vault():
    stack = new_stack()
    _plan(stack, _daily())
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == (
        'rule "Daily" runs daily at 18:00 UTC (cron(0 18 * * ? *)), keeps each backup 7 days '
        "(Lifecycle.DeleteAfterDays = 7) and writes to Test/Vault/Resource, encrypted with the customer managed key "
        "Test/VaultKey/Resource and locked (LockConfiguration.MinRetentionDays = 7; governance mode "
        "(users with permission can remove the lock))")


def test_compliance_2_vault_by_literal_name():
    stack = new_stack()
    _vault(stack, name="vault")
    _cfn_plan(stack, schedule_expression="cron(15 * ? * * *)", schedule_expression_timezone="Asia/Tokyo",
              delete_after_days=7)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "hourly at minute 15 (Asia/Tokyo)" in evaluation.evidence and "Test/Vault/Resource" in evaluation.evidence


def test_compliance_3_one_daily_rule_among_weekly_ones():
    stack = new_stack()
    vault = _vault(stack, lock_days=7, max_retention=cdk.Duration.days(400))
    backup.BackupPlan(stack, "Plan", backup_plan_rules=[
        backup.BackupPlanRule.weekly(vault), backup.BackupPlanRule.daily(vault)])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "daily at 05:00 UTC" in evaluation.evidence and "35 days" in evaluation.evidence


def test_compliance_4_no_schedule_runs_on_the_aws_backup_default():
    stack = new_stack()
    _vault(stack, name="vault")
    _cfn_plan(stack, delete_after_days=14)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "no ScheduleExpression, so AWS Backup runs it daily at 05:00 UTC" in evaluation.evidence


def test_compliance_5_vault_in_another_stack_of_the_same_environment():
    app = new_app()
    vaults = cdk.Stack(app, "Vaults", env=TOKYO)
    vault = _vault(vaults)
    stack = cdk.Stack(app, "Test", env=TOKYO)
    _plan(stack, _daily(), vault=vault)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT and "writes to Vaults/Vault/Resource" in evaluation.evidence
