import aws_cdk as cdk
from aws_cdk import aws_backup as backup
from aws_cdk import aws_events as events

from nag_rules import Status
from nag_rules.rules.backup_copy_in_japan import RULE
from tests.helpers import TOKYO, evaluations_of, new_app, new_stack, only

OSAKA = cdk.Environment(account=TOKYO.account, region="ap-northeast-3")


def _plan(stack, destination, copy_days=7):
    plan = backup.BackupPlan(stack, "Plan", backup_vault=backup.BackupVault(stack, "Vault"))
    plan.add_rule(backup.BackupPlanRule(
        rule_name="Daily", schedule_expression=events.Schedule.cron(hour="18", minute="0"),
        delete_after=cdk.Duration.days(7),
        copy_actions=[backup.BackupPlanCopyActionProps(
            destination_backup_vault=destination,
            delete_after=cdk.Duration.days(copy_days) if copy_days else None)]))
    return plan


def _osaka_vault(app, lock_days=7):
    osaka = cdk.Stack(app, "Osaka", env=OSAKA)
    return backup.BackupVault(osaka, "Copy", backup_vault_name="copy", lock_configuration=backup.LockConfiguration(
        min_retention=cdk.Duration.days(lock_days)))


def test_noncompliance_1_copy_to_virginia():
    stack = new_stack()
    _plan(stack, backup.BackupVault.from_backup_vault_arn(
        stack, "Virginia", "arn:aws:backup:us-east-1:123456789012:backup-vault:dr"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ('rule "Daily" copies recovery points to '
                                   "arn:aws:backup:us-east-1:123456789012:backup-vault:dr in us-east-1, outside Japan")


def test_noncompliance_2_deploy_time_destination_is_unresolved():
    stack = new_stack()
    arn = cdk.CfnParameter(stack, "DestinationArn")
    _plan(stack, backup.BackupVault.from_backup_vault_arn(stack, "Somewhere", arn.value_as_string))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED and "known only at deploy time" in evaluation.evidence


def test_noncompliance_3_copy_in_the_same_region():
    stack = new_stack()
    _plan(stack, backup.BackupVault.from_backup_vault_arn(
        stack, "Copy", "arn:aws:backup:ap-northeast-1:123456789012:backup-vault:other"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "the plan's own region: a copy in the same region does not survive a regional outage" in evaluation.evidence


def test_noncompliance_4_same_region_vault_of_the_app():
    stack = new_stack()
    _plan(stack, backup.BackupVault(stack, "Second"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith('rule "Daily" copies to Test/Second/Resource in ap-northeast-1, the plan')


def test_noncompliance_5_copy_kept_shorter_than_the_destination_lock():
    app = new_app()
    _osaka_vault(app, lock_days=14)
    stack = cdk.Stack(app, "Test", env=TOKYO)
    _plan(stack, backup.BackupVault.from_backup_vault_arn(
        stack, "Osaka", "arn:aws:backup:ap-northeast-3:123456789012:backup-vault:copy"), copy_days=7)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "but Osaka/Copy/Resource's LockConfiguration.MinRetentionDays = 14 is longer than the 7-day retention of " \
           "each copy: the vault fails every job" in evaluation.evidence


def test_noncompliance_6_copies_kept_a_day():
    stack = new_stack()
    _plan(stack, backup.BackupVault.from_backup_vault_arn(
        stack, "Osaka", "arn:aws:backup:ap-northeast-3:123456789012:backup-vault:osaka"), copy_days=1)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "keeps each copy 1 days" in evaluation.evidence


def test_noncompliance_7_copies_without_expiry():
    stack = new_stack()
    _plan(stack, backup.BackupVault.from_backup_vault_arn(
        stack, "Osaka", "arn:aws:backup:ap-northeast-3:123456789012:backup-vault:osaka"), copy_days=None)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "each copy is kept until deleted by hand" in evaluation.evidence


def test_compliance_1_copy_to_an_osaka_vault_of_the_app_by_arn():
    app = new_app()
    _osaka_vault(app)
    stack = cdk.Stack(app, "Test", env=TOKYO)
    _plan(stack, backup.BackupVault.from_backup_vault_arn(
        stack, "Osaka", "arn:aws:backup:ap-northeast-3:123456789012:backup-vault:copy"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == (
        'rule "Daily" copies to arn:aws:backup:ap-northeast-3:123456789012:backup-vault:copy (Osaka/Copy/Resource) '
        "in ap-northeast-3, the other Japanese region, and keeps each copy 7 days (Lifecycle.DeleteAfterDays = 7)")


def test_compliance_2_copy_to_osaka_outside_the_app():
    stack = new_stack()
    _plan(stack, backup.BackupVault.from_backup_vault_arn(
        stack, "Osaka", f"arn:aws:backup:ap-northeast-3:{cdk.Aws.ACCOUNT_ID}:backup-vault:osaka"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ('rule "Daily" copies to arn:aws:backup:ap-northeast-3:123456789012:backup-vault:osaka '
                                   "in ap-northeast-3, the other Japanese region, and keeps each copy 7 days "
                                   "(Lifecycle.DeleteAfterDays = 7)")


def test_compliance_3_plans_without_copies_are_not_evaluated():
    stack = new_stack()
    plan = backup.BackupPlan(stack, "Plan", backup_vault=backup.BackupVault(stack, "Vault"))
    plan.add_rule(backup.BackupPlanRule.daily())
    assert evaluations_of(stack, RULE) == []


def test_compliance_4_copy_from_osaka_to_tokyo():
    app = new_app()
    tokyo = cdk.Stack(app, "Tokyo", env=TOKYO)
    backup.BackupVault(tokyo, "Copy", backup_vault_name="copy")
    stack = cdk.Stack(app, "Test", env=OSAKA)
    _plan(stack, backup.BackupVault.from_backup_vault_arn(
        stack, "Tokyo", "arn:aws:backup:ap-northeast-1:123456789012:backup-vault:copy"), copy_days=30)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT and "(Tokyo/Copy/Resource) in ap-northeast-1" in evaluation.evidence
