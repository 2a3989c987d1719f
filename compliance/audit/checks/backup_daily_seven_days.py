"""A backup plan backs up daily, keeps each backup at least a week, into a locked vault encrypted with a
customer managed key (12.3.1: 日次で1週間分を暗号化して保管)."""

from typing import Any

from compliance.audit.framework import Account, AuditCheck, Finding, Unverifiable, call, failed, pages, passed, unverified

PLAN = "AWS::Backup::BackupPlan"
MINIMUM_DAYS = 7
DEFAULT_SCHEDULE = "cron(0 5 ? * * *)"
"""What AWS Backup runs a rule without ScheduleExpression on."""
EVERY_DAY = (("*", "?"), ("?", "*"))


def backup_daily_seven_days(account: Account) -> list[Finding]:
    backup = account.client("backup")
    vaults: dict[str, tuple[bool | None, str, int]] = {}
    findings = []
    for plan in pages(backup, "list_backup_plans", "BackupPlansList"):
        arn = plan["BackupPlanArn"]
        try:
            rules = call(backup, "get_backup_plan", BackupPlanId=plan["BackupPlanId"])["BackupPlan"].get("Rules", [])
        except Unverifiable as error:
            findings.append(unverified(arn, PLAN, account.region, str(error)))
            continue
        verdicts = [_rule(account, rule, vaults) for rule in rules]
        good = [words for ok, words in verdicts if ok]
        if good:
            findings.append(passed(arn, PLAN, account.region, good[0]))
            continue
        evidence = "GetBackupPlan: " + ("; ".join(words for _, words in verdicts) or "no rules")
        findings.append((unverified if any(ok is None for ok, _ in verdicts) else failed)(
            arn, PLAN, account.region, evidence))
    if not findings:
        findings.append(failed(f"{account.account_id or 'account'}/{account.region}", "AWS::Account", account.region,
                               "ListBackupPlans: no backup plan in the region"))
    return findings


def _rule(account: Account, rule: dict[str, Any],
          vaults: dict[str, tuple[bool | None, str, int]]) -> tuple[bool | None, str]:
    """Whether the rule backs up daily for a week into a protected vault (None: the vault is unreadable)."""
    name = f"rule {rule.get('RuleName')}"
    expression = rule.get("ScheduleExpression") or DEFAULT_SCHEDULE
    days = (rule.get("Lifecycle") or {}).get("DeleteAfterDays")
    problems = []
    if not _daily(expression):
        problems.append(f"ScheduleExpression = {expression} does not run every day")
    if days is None or days < MINIMUM_DAYS:
        problems.append(f"Lifecycle.DeleteAfterDays = {days} (needed: {MINIMUM_DAYS} or more)")
    vault = rule.get("TargetBackupVaultName", "")
    if vault not in vaults:
        vaults[vault] = _vault(account, vault)
    protected, words, locked_days = vaults[vault]
    if days is not None and days < locked_days:
        problems.append(f"Lifecycle.DeleteAfterDays = {days} is shorter than the vault lock's MinRetentionDays "
                        f"= {locked_days}: every job fails")
    if problems or protected is False:
        return False, f"{name}: " + "; ".join(problems + ([words] if protected is False else []))
    if protected is None:
        return None, f"{name}: {words}"
    return True, (f"GetBackupPlan {name}: ScheduleExpression = {expression}, Lifecycle.DeleteAfterDays = {days}; "
                  f"{words}")


def _daily(expression: str) -> bool:
    """An AWS cron expression that fires every day (hourly counts); AWS Backup takes no rate expressions."""
    if not (expression.startswith("cron(") and expression.endswith(")")):
        return False
    fields = expression[len("cron("):-1].split()
    if len(fields) != 6:
        return False
    minute, hour, day, month, weekday, year = fields
    return (day, weekday) in EVERY_DAY and month == "*" and year == "*" and set(minute + hour) <= set("0123456789*/,-")


def _vault(account: Account, name: str) -> tuple[bool | None, str, int]:
    try:
        vault = call(account.client("backup"), "describe_backup_vault", BackupVaultName=name)
        key = vault.get("EncryptionKeyArn")
        manager = call(account.client("kms", key.split(":")[3]), "describe_key", KeyId=key)["KeyMetadata"] \
            .get("KeyManager") if key else None
    except Unverifiable as error:
        return None, f"vault {name}: {error}", 0
    minimum = vault.get("MinRetentionDays")
    words = (f"DescribeBackupVault({name}).Locked = {vault.get('Locked', False)}, MinRetentionDays = {minimum}, "
             f"EncryptionKeyArn = {key} (DescribeKey.KeyManager = {manager})")
    ok = vault.get("Locked") is True and (minimum or 0) >= MINIMUM_DAYS and manager == "CUSTOMER"
    return ok, words, minimum or 0


CHECK = AuditCheck(
    id="BackupDailySevenDays",
    clauses=("12.3.1",),
    title=f"A backup plan backs up daily and keeps each backup at least {MINIMUM_DAYS} days in a locked vault "
          "encrypted with a customer managed key.",
    run=backup_daily_seven_days,
)
