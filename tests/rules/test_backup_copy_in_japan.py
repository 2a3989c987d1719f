import aws_cdk as cdk
from aws_cdk import aws_backup as backup
from aws_cdk import aws_events as events

from nag_rules import Status
from nag_rules.rules.backup_copy_in_japan import RULE
from tests.helpers import evaluations_of, new_stack, only


def _plan(stack, destination):
    plan = backup.BackupPlan(stack, "Plan", backup_vault=backup.BackupVault(stack, "Vault"))
    plan.add_rule(backup.BackupPlanRule(
        rule_name="Daily", schedule_expression=events.Schedule.cron(hour="18", minute="0"),
        delete_after=cdk.Duration.days(7),
        copy_actions=[backup.BackupPlanCopyActionProps(destination_backup_vault=destination,
                                                       delete_after=cdk.Duration.days(7))]))
    return plan


def test_noncompliance_1_copy_to_virginia():
    stack = new_stack()
    _plan(stack, backup.BackupVault.from_backup_vault_arn(
        stack, "Virginia", "arn:aws:backup:us-east-1:123456789012:backup-vault:dr"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ('rule "Daily" copies recovery points to '
                                   "arn:aws:backup:us-east-1:123456789012:backup-vault:dr in us-east-1")


def test_noncompliance_2_deploy_time_destination_is_unresolved():
    stack = new_stack()
    arn = cdk.CfnParameter(stack, "DestinationArn")
    _plan(stack, backup.BackupVault.from_backup_vault_arn(stack, "Somewhere", arn.value_as_string))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED and "known only at deploy time" in evaluation.evidence


def test_compliance_1_copy_to_a_vault_of_the_app():
    stack = new_stack()
    _plan(stack, backup.BackupVault(stack, "Second"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == 'rule "Daily" copies to Test/Second/Resource in ap-northeast-1'


def test_compliance_2_copy_to_osaka_by_arn():
    stack = new_stack()
    _plan(stack, backup.BackupVault.from_backup_vault_arn(
        stack, "Osaka", f"arn:aws:backup:ap-northeast-3:{cdk.Aws.ACCOUNT_ID}:backup-vault:osaka"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ('rule "Daily" copies to '
                                   "arn:aws:backup:ap-northeast-3:123456789012:backup-vault:osaka in ap-northeast-3")


def test_compliance_3_plans_without_copies_are_not_evaluated():
    stack = new_stack()
    plan = backup.BackupPlan(stack, "Plan", backup_vault=backup.BackupVault(stack, "Vault"))
    plan.add_rule(backup.BackupPlanRule.daily())
    assert evaluations_of(stack, RULE) == []
