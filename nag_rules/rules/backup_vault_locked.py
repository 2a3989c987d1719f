from typing import Any

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved

MINIMUM_RETENTION_DAYS = 7


def _days(value: Any) -> int | None:
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def backup_vault_locked(resource: Resource) -> Check:
    lock = resource.prop("LockConfiguration")
    if lock is None:
        return non_compliant("no LockConfiguration: recovery points can be deleted before they are a week old")
    if is_intrinsic(lock) or not isinstance(lock, dict):
        return unresolved(f"LockConfiguration = {show(lock)}")
    values = {field: lock.get(field) for field in ("MinRetentionDays", "MaxRetentionDays", "ChangeableForDays")}
    for field, value in values.items():
        if value is not None and _days(value) is None:
            return unresolved(f"LockConfiguration.{field} = {show(value)}")
    minimum, maximum, changeable = (_days(v) for v in values.values())
    if minimum is None or minimum < MINIMUM_RETENTION_DAYS:
        shown = "(absent: no minimum)" if minimum is None else f"{minimum} (< {MINIMUM_RETENTION_DAYS})"
        return non_compliant(f"LockConfiguration.MinRetentionDays = {shown}")
    evidence = [f"LockConfiguration.MinRetentionDays = {minimum}"]
    if maximum is not None:
        if maximum < minimum:
            return non_compliant(f"LockConfiguration.MaxRetentionDays = {maximum} < MinRetentionDays = {minimum}: "
                                 "every backup or copy job into the vault fails")
        evidence.append(f"MaxRetentionDays = {maximum}")
    if changeable is None:
        evidence.append("governance mode (users with permission can remove the lock)")
    else:
        evidence.append(f"compliance mode once the {changeable}-day grace period ends (immutable)")
    return compliant("; ".join(evidence))


RULE = Rule(
    name="BackupVaultLocked",
    clauses=("12.3.1", "18.1.3"),
    resource_types=("AWS::Backup::BackupVault",),
    info="The backup vault is not locked to keep recovery points at least 7 days.",
    explanation=(
        "Backups are kept one week and protected against tampering: AWS Backup Vault Lock with "
        "MinRetentionDays >= 7 fails any backup job that would expire sooner and refuses to delete a recovery "
        "point before then (MaxRetentionDays, if set, must allow that week). Without ChangeableForDays the lock "
        "is in governance mode and users with permission can remove it; with it, the lock becomes immutable "
        "(compliance mode) once the grace period ends. Set lock_configuration=backup.LockConfiguration("
        "min_retention=Duration.days(7)) on the vault (the DailyBackup construct does)."
    ),
    check=backup_vault_locked,
)
