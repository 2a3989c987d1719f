import aws_cdk as cdk
from aws_cdk import aws_backup as backup

from nag_rules import Status
from nag_rules.rules.backup_vault_locked import RULE
from tests.helpers import evaluations_of, new_stack, only


def _lock(**days):
    return backup.LockConfiguration(**{name: cdk.Duration.days(value) for name, value in days.items()})


def test_noncompliance_1_no_lock():
    stack = new_stack()
    backup.BackupVault(stack, "Vault")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "no LockConfiguration" in evaluation.evidence


def test_noncompliance_2_lock_shorter_than_a_week():
    stack = new_stack()
    backup.BackupVault(stack, "Vault", lock_configuration=_lock(min_retention=3))
    assert only(evaluations_of(stack, RULE)).evidence == "LockConfiguration.MinRetentionDays = 3 (< 7)"


def test_noncompliance_3_maximum_below_minimum():
    stack = new_stack()
    backup.CfnBackupVault(stack, "Vault", backup_vault_name="vault",
                          lock_configuration=backup.CfnBackupVault.LockConfigurationTypeProperty(
                              min_retention_days=7, max_retention_days=5))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "MaxRetentionDays = 5 < MinRetentionDays = 7" in evaluation.evidence


def test_noncompliance_4_deploy_time_minimum_is_unresolved():
    stack = new_stack()
    days = cdk.CfnParameter(stack, "Days", type="Number")
    backup.CfnBackupVault(stack, "Vault", backup_vault_name="vault",
                          lock_configuration=backup.CfnBackupVault.LockConfigurationTypeProperty(
                              min_retention_days=days.value_as_number))
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def test_compliance_1_governance_mode():
    stack = new_stack()
    backup.BackupVault(stack, "Vault", lock_configuration=_lock(min_retention=7))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("LockConfiguration.MinRetentionDays = 7; governance mode "
                                   "(users with permission can remove the lock)")


def test_compliance_2_compliance_mode_with_maximum():
    stack = new_stack()
    backup.BackupVault(stack, "Vault", lock_configuration=_lock(min_retention=7, max_retention=35,
                                                                changeable_for=3))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("LockConfiguration.MinRetentionDays = 7; MaxRetentionDays = 35; compliance mode "
                                   "once the 3-day grace period ends (immutable)")
