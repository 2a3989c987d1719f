from typing import Any

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import customer_managed_key, text
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, unresolved
from nag_rules.rules.backup_vault_locked import backup_vault_locked

MINIMUM_RETENTION_DAYS = 7
DEFAULT_SCHEDULE = "cron(0 5 ? * * *)"
"""What AWS Backup runs a rule without ScheduleExpression on (BackupRuleInput.ScheduleExpression)."""
_EVERY_DAY = (("*", "?"), ("?", "*"))
"""(day-of-month, day-of-week) pairs of an AWS cron expression that fire on every day."""
_TIME_FIELD = set("0123456789*/,-")
DEFAULT_VAULT = "Default"
"""The vault AWS Backup creates in every account and region, with the AWS managed key and no lock."""


def plan_rules(plan: Resource) -> list[Any] | Check:
    """The plan's BackupPlan.BackupPlanRule entries, or the verdict when they are known only at deploy time."""
    body = plan.prop("BackupPlan")
    rules = plan.prop("BackupPlan", "BackupPlanRule", default=[])
    if is_intrinsic(body) or is_intrinsic(rules) or not isinstance(rules, list):
        return unresolved(f"BackupPlan.BackupPlanRule = {show(rules if rules else body)}")
    return rules


def rule_name(entry: Any) -> str:
    return f'rule "{show(entry.get("RuleName"))}"' if isinstance(entry, dict) else f"rule {show(entry)}"


def schedule(entry: dict[str, Any], plan: Resource) -> tuple[bool | None, str]:
    """Whether the rule runs at least once every day (None if known only at deploy time), in words."""
    value = entry.get("ScheduleExpression")
    if value is None:
        daily, words = _cron(DEFAULT_SCHEDULE, "UTC")
        return daily, f"has no ScheduleExpression, so AWS Backup runs it {words} ({DEFAULT_SCHEDULE})"
    expression = text(value, plan)
    if expression is None:
        return None, f"ScheduleExpression = {show(value)}"
    zone = entry.get("ScheduleExpressionTimezone")
    zone_text = "UTC" if zone is None else text(zone, plan) or f"{show(zone)} (a deploy-time time zone)"
    if expression.startswith("rate("):
        return False, f"{expression}: AWS Backup takes only cron expressions, so the rule never runs"
    daily, words = _cron(expression, zone_text)
    return daily, f"runs {words} ({expression})"


def _cron(expression: str, zone: str) -> tuple[bool, str]:
    fields = expression[len("cron("):-1].split() if expression.startswith("cron(") and expression.endswith(")") \
        else []
    if len(fields) != 6:
        return False, "on no schedule AWS Backup accepts (not a six-field cron expression)"
    minute, hour, day, month, weekday, year = fields
    if not set(minute + hour) <= _TIME_FIELD:
        return False, "at no valid time"
    if weekday not in ("*", "?"):
        return False, f"only on day-of-week {weekday}"
    if day not in ("*", "?"):
        return False, f"only on day {day} of the month"
    if (day, weekday) not in _EVERY_DAY:
        return False, "on no schedule AWS Backup accepts (one of day-of-month and day-of-week must be '?')"
    if month != "*" or year != "*":
        return False, f"only in month {month} of year {year}"
    if minute.isdigit() and hour.isdigit():
        return True, f"daily at {int(hour):02d}:{int(minute):02d} {zone}"
    if hour == "*" and minute.isdigit():
        return True, f"hourly at minute {int(minute)} ({zone})"
    return True, f"every day at hours {hour}, minutes {minute} ({zone})"


def delete_after_days(holder: dict[str, Any]) -> int | float | str | None:
    """A rule's or copy action's Lifecycle.DeleteAfterDays as a number; None if absent, the words if unreadable."""
    lifecycle = holder.get("Lifecycle")
    days = lifecycle.get("DeleteAfterDays") if isinstance(lifecycle, dict) else None
    if is_intrinsic(lifecycle) or is_intrinsic(days):
        return f"Lifecycle = {show(lifecycle)}"
    if days is None:
        return None
    if isinstance(days, str):
        try:
            days = float(days)
        except ValueError:
            return f"Lifecycle.DeleteAfterDays = {show(days)} is not a number of days"
    if isinstance(days, bool) or not isinstance(days, (int, float)):
        return f"Lifecycle.DeleteAfterDays = {show(days)} is not a number of days"
    return int(days) if float(days).is_integer() else days


def retention(entry: dict[str, Any], kept: str = "backup") -> tuple[bool | None, str]:
    """Whether each backup (or copy) is kept at least a week, written out (None if known only at deploy time)."""
    days = delete_after_days(entry)
    if isinstance(days, str):
        return None, days
    if days is None:
        return False, (f"has no Lifecycle.DeleteAfterDays, so each {kept} is kept until deleted by hand: write the "
                       f"{MINIMUM_RETENTION_DAYS}-day retention out")
    words = f"keeps each {kept} {days} days (Lifecycle.DeleteAfterDays = {days})"
    return (True, words) if days >= MINIMUM_RETENTION_DAYS else (False, f"{words}, < {MINIMUM_RETENTION_DAYS}")


def _whole_days(value: Any) -> int | None:
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def fits_lock(days: int | float, vault: Resource, kept: str = "backup") -> tuple[bool | None, str]:
    """Whether a retention of ``days`` is one the vault's lock accepts (AWS Backup fails every job it refuses)."""
    lock = vault.prop("LockConfiguration")
    if lock is None:
        return True, ""
    if not isinstance(lock, dict) or is_intrinsic(lock):
        return None, f"{vault.path}: LockConfiguration = {show(lock)}"
    window = {}
    for field in ("MinRetentionDays", "MaxRetentionDays"):
        value = lock.get(field)
        if value is not None and _whole_days(value) is None:
            return None, f"{vault.path}: LockConfiguration.{field} = {show(value)}"
        window[field] = _whole_days(value)
    low, high = window["MinRetentionDays"], window["MaxRetentionDays"]
    if low is not None and days < low:
        return False, (f"{vault.path}'s LockConfiguration.MinRetentionDays = {low} is longer than the {days}-day "
                       f"retention of each {kept}: the vault fails every job")
    if high is not None and days > high:
        return False, (f"{vault.path}'s LockConfiguration.MaxRetentionDays = {high} is shorter than the {days}-day "
                       f"retention of each {kept}: the vault fails every job")
    return True, ""


def vaults_named(plan: Resource, name: str, account: str | None, region: str | None) -> list[Resource]:
    """The vaults of the app called ``name`` in that account and region (a vault name is unique there)."""
    return [vault for vault in plan.stack.assembly.of_type("AWS::Backup::BackupVault")
            if (vault.stack.account, vault.stack.region) == (account, region)
            and text(vault.prop("BackupVaultName"), vault) == name]


def target_vault(plan: Resource, value: Any) -> Resource | tuple[bool | None, str]:
    """The vault of this app that a rule's TargetBackupVault names, or the verdict when it names none."""
    stack = plan.stack
    vault = plan.target(value)
    if vault is not None and vault.type != "AWS::Backup::BackupVault":
        return None, f"TargetBackupVault refers to {vault.type} {vault.path}, not to a backup vault"
    if vault is not None:
        if vault.stack is stack or (stack.account and stack.region and (vault.stack.account, vault.stack.region) ==
                                    (stack.account, stack.region)):
            return vault
        return None, (f"TargetBackupVault is {vault.path} in {vault.stack.environment}; AWS Backup writes only to a "
                      f"vault of the plan's own account and region ({stack.environment})")
    name = text(value, plan)
    if name is None:
        return None, f"TargetBackupVault = {show(value)} is known only at deploy time"
    if name == DEFAULT_VAULT:
        return False, ("TargetBackupVault = Default: the account's default vault, which AWS Backup creates encrypted with "
                       "the AWS managed key aws/backup and without a lock")
    if stack.account is None or stack.region is None:
        return None, f"TargetBackupVault = {name}: the plan's environment ({stack.environment}) is known only at deploy time"
    found = vaults_named(plan, name, stack.account, stack.region)
    if len(found) == 1:
        return found[0]
    return None, (f"TargetBackupVault = {name}: no vault of this app in {stack.environment} has that name; its key and "
                  "lock cannot be checked")


def vault_protection(vault: Resource) -> tuple[bool | None, str]:
    """Whether the vault is encrypted with a customer managed key and locked for a week, in words."""
    key = vault.prop("EncryptionKeyArn")
    if key is None:
        return False, f"{vault.path} has no EncryptionKeyArn: its backups are encrypted with the AWS managed key aws/backup"
    found = customer_managed_key(vault, key, "EncryptionKeyArn")
    if isinstance(found, Check):
        return (None if found.outcome is Outcome.UNRESOLVED else False), f"{vault.path}: {found.evidence}"
    lock = backup_vault_locked(vault)
    if lock.outcome is not Outcome.COMPLIANT:
        return (None if lock.outcome is Outcome.UNRESOLVED else False), f"{vault.path}: {lock.evidence}"
    return True, f"{vault.path}, encrypted with the customer managed key {found} and locked ({lock.evidence})"


def _stored(entry: dict[str, Any], plan: Resource, days: Any) -> tuple[bool | None, str]:
    """Whether the rule writes to a vault of this app that is encrypted and locked and accepts its retention."""
    vault = target_vault(plan, entry.get("TargetBackupVault"))
    if not isinstance(vault, Resource):
        return vault
    protected, words = vault_protection(vault)
    if not protected:
        return protected, words
    if isinstance(days, (int, float)):
        fits, why = fits_lock(days, vault)
        if not fits:
            return fits, why
    return True, f"writes to {words}"


def backup_plan_daily_retention(resource: Resource) -> Check:
    rules = plan_rules(resource)
    if not isinstance(rules, list):
        return rules
    if not rules:
        return non_compliant("BackupPlan.BackupPlanRule is empty: the plan never backs anything up")
    failures, unknown = [], []
    for entry in rules:
        if not isinstance(entry, dict):
            unknown.append(f"{rule_name(entry)}: known only at deploy time")
            continue
        daily, when = schedule(entry, resource)
        kept, how_long = retention(entry)
        stored, where = _stored(entry, resource, delete_after_days(entry))
        described = f"{rule_name(entry)} {when}, {how_long} and {where}"
        if daily and kept and stored:
            return compliant(described)
        if daily is False or kept is False or stored is False:
            failures.append(described)
        else:
            unknown.append(described)
    if unknown:
        return unresolved("; ".join(unknown + failures))
    return non_compliant("no rule backs up daily into an encrypted, locked vault and keeps each backup a week: "
                         + "; ".join(failures))


RULE = Rule(
    name="BackupPlanDailyRetention",
    clauses=("12.3.1",),
    resource_types=("AWS::Backup::BackupPlan",),
    info="The backup plan has no rule that backs up at least daily into an encrypted, locked vault of the app and "
         "keeps each backup at least 7 days.",
    explanation=(
        "The whitepaper promises daily backups kept for one week. At least one rule of the plan must run every "
        "day (an AWS cron expression with day-of-month and day-of-week '*' and '?', or more often; a rule "
        "without ScheduleExpression runs daily at 05:00 UTC; AWS Backup accepts no rate() expressions), keep each "
        "recovery point at least 7 days, written out (Lifecycle.DeleteAfterDays >= 7: without it backups are kept "
        "until deleted by hand), and write to a vault of this app in the plan's account and region (TargetBackupVault "
        "by reference or by that vault's name; never the account's Default vault) that is encrypted with a customer "
        "managed key (EncryptionKeyArn) and locked for at least 7 days (LockConfiguration.MinRetentionDays >= 7), "
        "with a lock that accepts the rule's retention. Use events.Schedule.cron(hour=..., minute=...), "
        "delete_after=Duration.days(7) or longer and the DailyBackup construct's vault."
    ),
    check=backup_plan_daily_retention,
)
