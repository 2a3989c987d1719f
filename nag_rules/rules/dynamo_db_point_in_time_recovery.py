from typing import Any

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved

MINIMUM_RECOVERY_DAYS = 7
DEFAULT_RECOVERY_DAYS = 35
"""RecoveryPeriodInDays when PointInTimeRecoverySpecification leaves it out."""


def _recovery(specification: Any, where: str) -> tuple[bool | None, str]:
    """Whether ``specification`` keeps at least a week of point-in-time recovery (None if known only at deploy
    time), in words prefixed with ``where``."""
    if is_intrinsic(specification):
        return None, f"{where}PointInTimeRecoverySpecification = {show(specification)}"
    specification = specification if isinstance(specification, dict) else {}
    enabled = specification.get("PointInTimeRecoveryEnabled")
    days = specification.get("RecoveryPeriodInDays")
    if is_intrinsic(enabled) or is_intrinsic(days):
        return None, f"{where}PointInTimeRecoverySpecification = {show(specification)}"
    if enabled not in (True, "true"):
        shown = "(absent: false)" if enabled is None else show(enabled)
        return False, f"{where}PointInTimeRecoveryEnabled = {shown}"
    if days is None:
        return True, f"{where}PointInTimeRecoveryEnabled = true, {DEFAULT_RECOVERY_DAYS} days (the default)"
    if isinstance(days, str) and days.isdigit():
        days = int(days)
    if not isinstance(days, int) or isinstance(days, bool):
        return None, f"{where}RecoveryPeriodInDays = {show(days)} is not a number of days"
    if days < MINIMUM_RECOVERY_DAYS:
        return False, f"{where}PointInTimeRecoveryEnabled = true, RecoveryPeriodInDays = {days} (< {MINIMUM_RECOVERY_DAYS})"
    return True, f"{where}PointInTimeRecoveryEnabled = true, RecoveryPeriodInDays = {days}"


def dynamo_db_point_in_time_recovery(resource: Resource) -> Check:
    if resource.type == "AWS::DynamoDB::Table":
        results = [_recovery(resource.prop("PointInTimeRecoverySpecification"), "")]
    else:
        replicas = resource.prop("Replicas", default=[])
        if is_intrinsic(replicas) or not isinstance(replicas, list):
            return unresolved(f"Replicas = {show(replicas)}")
        results = [
            _recovery(replica.get("PointInTimeRecoverySpecification"), f"replica {show(replica.get('Region'))}: ")
            if isinstance(replica, dict) else (None, f"replica {show(replica)}")
            for replica in replicas
        ]
    failed = [words for ok, words in results if ok is False]
    if failed:
        return non_compliant("; ".join(failed))
    unknown = [words for ok, words in results if ok is None]
    if unknown or not results:
        return unresolved("; ".join(unknown) or "Replicas is empty")
    return compliant("; ".join(words for _, words in results))


RULE = Rule(
    name="DynamoDbPointInTimeRecovery",
    clauses=("12.3.1",),
    resource_types=("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"),
    info="The DynamoDB table (or a replica) does not keep at least 7 days of point-in-time recovery.",
    explanation=(
        "The whitepaper promises backups kept for one week: point-in-time recovery lets a table be restored to "
        "any second of its recovery period (35 days unless RecoveryPeriodInDays says otherwise; at least 7 "
        "here). A global table sets it per replica, and every replica needs it. Set "
        "point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification("
        "point_in_time_recovery_enabled=True) on the table (TableV2 applies it to every replica)."
    ),
    check=dynamo_db_point_in_time_recovery,
    security_hub=("DynamoDB.2",),
)
