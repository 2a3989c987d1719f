from typing import Any

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import text
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved

MINIMUM_RETENTION_DAYS = 7
DEFAULT_SCHEDULE = "cron(0 5 ? * * *)"
"""What AWS Backup runs a rule without ScheduleExpression on (BackupRuleInput.ScheduleExpression)."""
_EVERY_DAY = (("*", "?"), ("?", "*"))
"""(day-of-month, day-of-week) pairs of an AWS cron expression that fire on every day."""
_TIME_FIELD = set("0123456789*/,-")


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


def retention(entry: dict[str, Any]) -> tuple[bool | None, str]:
    """Whether each backup of the rule is kept at least a week (None if known only at deploy time), in words."""
    lifecycle = entry.get("Lifecycle")
    days = lifecycle.get("DeleteAfterDays") if isinstance(lifecycle, dict) else None
    if is_intrinsic(lifecycle) or is_intrinsic(days):
        return None, f"Lifecycle = {show(lifecycle)}"
    if days is None:
        return True, "keeps each backup until it is deleted (no Lifecycle.DeleteAfterDays)"
    if isinstance(days, str):
        try:
            days = float(days)
        except ValueError:
            return None, f"Lifecycle.DeleteAfterDays = {show(days)} is not a number of days"
    if isinstance(days, bool) or not isinstance(days, (int, float)):
        return None, f"Lifecycle.DeleteAfterDays = {show(days)} is not a number of days"
    days = int(days) if float(days).is_integer() else days
    kept = f"keeps each backup {days} days (Lifecycle.DeleteAfterDays = {days})"
    return (True, kept) if days >= MINIMUM_RETENTION_DAYS else (False, f"{kept}, < {MINIMUM_RETENTION_DAYS}")


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
        described = f"{rule_name(entry)} {when} and {how_long}"
        if daily and kept:
            return compliant(described)
        if daily is False or kept is False:
            failures.append(described)
        else:
            unknown.append(described)
    if unknown:
        return unresolved("; ".join(unknown + failures))
    return non_compliant("no rule backs up daily and keeps each backup a week: " + "; ".join(failures))


RULE = Rule(
    name="BackupPlanDailyRetention",
    clauses=("12.3.1",),
    resource_types=("AWS::Backup::BackupPlan",),
    info="The backup plan has no rule that backs up at least daily and keeps each backup at least 7 days.",
    explanation=(
        "The whitepaper promises daily backups kept for one week. At least one rule of the plan must run every "
        "day (an AWS cron expression with day-of-month and day-of-week '*' and '?', or more often; a rule "
        "without ScheduleExpression runs daily at 05:00 UTC; AWS Backup accepts no rate() expressions) and "
        "keep each recovery point at least 7 days (Lifecycle.DeleteAfterDays >= 7, or no expiry). Use "
        "events.Schedule.cron(hour=..., minute=...) and delete_after=Duration.days(7) or longer."
    ),
    check=backup_plan_daily_retention,
)
