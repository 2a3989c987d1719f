"""A backup plan backs up daily, keeps each backup at least a week, into a locked vault encrypted with a
customer managed key (12.3.1: 日次で1週間分を暗号化して保管), and selects resources to back up.

A backup kept longer than the vault lock's MaxRetentionDays (or forever under a maximum) makes every job fail."""

from dataclasses import dataclass
from typing import Any

from compliance.audit.framework import Account, AuditCheck, Finding, Unverifiable, call, failed, pages, passed, unverified

PLAN = "AWS::Backup::BackupPlan"
MINIMUM_DAYS = 7
DEFAULT_SCHEDULE = "cron(0 5 ? * * *)"
"""What AWS Backup runs a rule without ScheduleExpression on."""
EVERY_DAY = (("*", "?"), ("?", "*"))


def backup_daily_seven_days(account: Account) -> list[Finding]:
    backup = account.client("backup")
    vaults: dict[str, Vault] = {}
    findings = []
    for plan in pages(backup, "list_backup_plans", "BackupPlansList"):
        arn = plan["BackupPlanArn"]
        try:
            rules = call(backup, "get_backup_plan", BackupPlanId=plan["BackupPlanId"])["BackupPlan"].get("Rules", [])
        except Unverifiable as error:
            findings.append(unverified(arn, PLAN, account.region, str(error)))
            continue
        try:
            names = [s.get("SelectionName") for s in pages(backup, "list_backup_selections", "BackupSelectionsList",
                                                            BackupPlanId=plan["BackupPlanId"])]
            selections = (f"ListBackupSelections = {names}" if names
                          else "ListBackupSelections = [] (the plan backs up no resource)")
        except Unverifiable as error:
            names, selections = None, str(error)
        verdicts = [_rule(account, rule, vaults) for rule in rules]
        good = [words for ok, words in verdicts if ok]
        rules_words = good[0] if good else "GetBackupPlan: " + ("; ".join(w for _, w in verdicts) or "no rules")
        if names == [] or (not good and all(ok is False for ok, _ in verdicts)):
            findings.append(failed(arn, PLAN, account.region, f"{rules_words}; {selections}"))
        elif good and names:
            findings.append(passed(arn, PLAN, account.region, f"{rules_words}; {selections}"))
        else:
            findings.append(unverified(arn, PLAN, account.region, f"{rules_words}; {selections}"))
    if not findings:
        findings.append(failed(f"{account.account_id or 'account'}/{account.region}", "AWS::Account", account.region,
                               "ListBackupPlans: no backup plan in the region"))
    return findings


@dataclass(frozen=True)
class Vault:
    protected: bool | None
    """Locked with MinRetentionDays >= a week and a customer managed key; None when unreadable."""
    words: str
    min_days: int = 0
    max_days: int | None = None


def _rule(account: Account, rule: dict[str, Any], vaults: dict[str, Vault]) -> tuple[bool | None, str]:
    """Whether the rule backs up daily for a week into a protected vault (None: the vault is unreadable)."""
    name = f"rule {rule.get('RuleName')}"
    expression = rule.get("ScheduleExpression") or DEFAULT_SCHEDULE
    days = (rule.get("Lifecycle") or {}).get("DeleteAfterDays")
    kept = f"Lifecycle.DeleteAfterDays = {days}" if days is not None else \
        "Lifecycle.DeleteAfterDays absent (kept until deleted by hand)"
    problems = []
    if not _daily(expression):
        problems.append(f"ScheduleExpression = {expression} does not run every day")
    if days is not None and days < MINIMUM_DAYS:
        problems.append(f"{kept} (needed: {MINIMUM_DAYS} or more)")
    name_of_vault = rule.get("TargetBackupVaultName", "")
    if name_of_vault not in vaults:
        vaults[name_of_vault] = _vault(account, name_of_vault)
    vault = vaults[name_of_vault]
    if days is not None and days < vault.min_days:
        problems.append(f"{kept} is shorter than the vault lock's MinRetentionDays = {vault.min_days}: every job fails")
    if vault.max_days is not None and (days is None or days > vault.max_days):
        problems.append(f"{kept} is longer than the vault lock's MaxRetentionDays = {vault.max_days}: every job fails")
    if problems or vault.protected is False:
        return False, f"{name}: " + "; ".join(problems + ([vault.words] if vault.protected is False else []))
    if vault.protected is None:
        return None, f"{name}: {vault.words}"
    return True, f"GetBackupPlan {name}: ScheduleExpression = {expression}, {kept}; {vault.words}"


def _daily(expression: str) -> bool:
    """An AWS cron expression that fires every day (hourly counts); AWS Backup takes no rate expressions."""
    if not (expression.startswith("cron(") and expression.endswith(")")):
        return False
    fields = expression[len("cron("):-1].split()
    if len(fields) != 6:
        return False
    minute, hour, day, month, weekday, year = fields
    return (day, weekday) in EVERY_DAY and month == "*" and year == "*" and set(minute + hour) <= set("0123456789*/,-")


def _vault(account: Account, name: str) -> Vault:
    try:
        vault = call(account.client("backup"), "describe_backup_vault", BackupVaultName=name)
        key = vault.get("EncryptionKeyArn")
        manager = call(account.client("kms", key.split(":")[3]), "describe_key", KeyId=key)["KeyMetadata"] \
            .get("KeyManager") if key else None
    except Unverifiable as error:
        return Vault(None, f"vault {name}: {error}")
    minimum, maximum = vault.get("MinRetentionDays"), vault.get("MaxRetentionDays")
    words = (f"DescribeBackupVault({name}).Locked = {vault.get('Locked', False)}, MinRetentionDays = {minimum}, "
             f"MaxRetentionDays = {maximum}, EncryptionKeyArn = {key} (DescribeKey.KeyManager = {manager})")
    ok = vault.get("Locked") is True and (minimum or 0) >= MINIMUM_DAYS and manager == "CUSTOMER"
    return Vault(ok, words, minimum or 0, maximum)


CHECK = AuditCheck(
    id="BackupDailySevenDays",
    clauses=("12.3.1",),
    title=f"Every backup plan selects resources, backs up daily and keeps each backup at least {MINIMUM_DAYS} days "
          "(within the vault lock's maximum) in a locked vault encrypted with a customer managed key.",
    run=backup_daily_seven_days,
)
