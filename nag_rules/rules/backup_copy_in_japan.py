import re
from typing import Any

from config.settings import JAPAN_REGIONS
from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import text
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved
from nag_rules.rules.backup_plan_daily_retention import plan_rules, rule_name

_VAULT_ARN = re.compile(r"^arn:[^:]+:backup:(?P<region>[^:]*):[^:]*:backup-vault:.+$")


def _destination(plan: Resource, value: Any) -> tuple[str, str | None]:
    """Where a copy action sends recovery points, and that place's region (None if unknown at synth time)."""
    vault = plan.target(value)
    if vault is not None and vault.type == "AWS::Backup::BackupVault":
        return vault.path, vault.stack.region
    arn = text(value, plan)
    match = _VAULT_ARN.match(arn) if arn is not None else None
    if match is None:
        return show(value), None
    return arn, match["region"]


def backup_copy_in_japan(resource: Resource) -> Check:
    rules = plan_rules(resource)
    if not isinstance(rules, list):
        return rules
    copies: list[tuple[str, Any]] = []
    for entry in rules:
        actions = entry.get("CopyActions") if isinstance(entry, dict) else entry
        if is_intrinsic(actions):
            return unresolved(f"{rule_name(entry)}: CopyActions = {show(actions)}")
        for action in actions or []:
            copies.append((rule_name(entry), action.get("DestinationBackupVaultArn")
                           if isinstance(action, dict) else action))
    if not copies:
        return not_applicable("no copy actions: recovery points stay in the plan's own region")
    outside, unknown, inside = [], [], []
    for name, value in copies:
        place, region = _destination(resource, value)
        if region is None:
            unknown.append(f"{name} copies to {place}: its region is known only at deploy time")
        elif region in JAPAN_REGIONS:
            inside.append(f"{name} copies to {place} in {region}")
        else:
            outside.append(f"{name} copies recovery points to {place} in {region}")
    if outside:
        return non_compliant("; ".join(outside))
    if unknown:
        return unresolved("; ".join(unknown))
    return compliant("; ".join(inside))


RULE = Rule(
    name="BackupCopyInJapan",
    clauses=("6.1.3", "12.3.1"),
    resource_types=("AWS::Backup::BackupPlan",),
    info="The backup plan copies recovery points to a vault outside ap-northeast-1 and ap-northeast-3.",
    explanation=(
        "Backups are customer data and stay in Japan: every copy action of every rule must send its recovery "
        "points to a vault in Tokyo or Osaka, named by a vault of this app (whose stack sets the region) or by a "
        "literal vault ARN. A destination known only at deploy time cannot prove where the copy lands."
    ),
    check=backup_copy_in_japan,
)
