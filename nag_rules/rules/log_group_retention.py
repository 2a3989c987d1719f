from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved
from nag_rules.standards import MINIMUM_LOG_RETENTION_DAYS



def log_group_retention(resource: Resource) -> Check:
    days = resource.prop("RetentionInDays")
    if days is None:
        return compliant("RetentionInDays absent: events never expire")
    if is_intrinsic(days):
        return unresolved(f"RetentionInDays = {show(days)}")
    if isinstance(days, str) and days.isdigit():
        days = int(days)
    if not isinstance(days, int) or isinstance(days, bool):
        return unresolved(f"RetentionInDays = {show(days)} is not a number of days")
    if days >= MINIMUM_LOG_RETENTION_DAYS:
        return compliant(f"RetentionInDays = {days}")
    return non_compliant(f"RetentionInDays = {days} (< {MINIMUM_LOG_RETENTION_DAYS})")


RULE = Rule(
    name="LogGroupRetention",
    clauses=("12.4.1",),
    resource_types=("AWS::Logs::LogGroup",),
    info="The log group keeps events for less than 365 days (12 months).",
    explanation=(
        "The whitepaper promises access logs for up to 12 months back. Keep every log group at "
        "least 365 days: use the RetainedLogGroup construct or logs.RetentionDays.ONE_YEAR or longer."
    ),
    check=log_group_retention,
    security_hub=("CloudWatch.16",),
)
