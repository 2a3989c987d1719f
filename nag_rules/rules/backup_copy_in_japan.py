import re
from typing import Any

from config.settings import JAPAN_REGIONS
from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import HOLE, text_with_holes
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved
from nag_rules.rules.backup_plan_daily_retention import (
    delete_after_days, fits_lock, plan_rules, retention, rule_name, vaults_named,
)

_VAULT_ARN = re.compile(r"^arn:[^:]+:backup:(?P<region>[^:]*):(?P<account>[^:]*):backup-vault:(?P<name>.+)$")


def _destination(plan: Resource, value: Any) -> tuple[Resource | None, str, str | None]:
    """The vault of this app a copy action sends recovery points to (if any), how it is named, and its region
    (None if known only at deploy time)."""
    vault = plan.target(value)
    if vault is not None and vault.type == "AWS::Backup::BackupVault":
        return vault, vault.path, vault.stack.region
    arn = text_with_holes(value, plan)
    match = _VAULT_ARN.match(arn) if arn is not None else None
    if match is None or HOLE in match["region"]:
        return None, show(value) if arn is None else arn.replace(HOLE, "<deploy-time>"), None
    shown = arn.replace(HOLE, "<deploy-time>")
    if HOLE in match["account"] + match["name"]:
        return None, shown, match["region"]
    found = vaults_named(plan, match["name"], match["account"], match["region"])
    if len(found) == 1:
        return found[0], f"{arn} ({found[0].path})", match["region"]
    return None, arn, match["region"]


def _copy(plan: Resource, name: str, action: Any) -> tuple[bool | None, str]:
    """Whether one copy action lands in the other Japanese region and keeps each copy a week, in words."""
    if not isinstance(action, dict):
        return None, f"{name}: copy action {show(action)} is known only at deploy time"
    vault, place, region = _destination(plan, action.get("DestinationBackupVaultArn"))
    home = plan.stack.region
    if region is None:
        return None, f"{name} copies to {place}: its region is known only at deploy time"
    if region not in JAPAN_REGIONS:
        return False, f"{name} copies recovery points to {place} in {region}, outside Japan"
    if home is None:
        return None, (f"{name} copies to {place} in {region}; the plan's region is known only at deploy time, so "
                      "whether the copy is in the other Japanese region cannot be known")
    if region == home:
        return False, (f"{name} copies to {place} in {region}, the plan's own region: a copy in the same region "
                       "does not survive a regional outage")
    kept, how_long = retention(action, "copy")
    if not kept:
        return kept, f"{name} copies to {place} in {region} and {how_long}"
    if vault is not None:
        fits, why = fits_lock(delete_after_days(action), vault, "copy")  # type: ignore[arg-type]
        if not fits:
            return fits, f"{name} copies to {place} in {region}, but {why}"
    return True, f"{name} copies to {place} in {region}, the other Japanese region, and {how_long}"


def backup_copy_in_japan(resource: Resource) -> Check:
    rules = plan_rules(resource)
    if not isinstance(rules, list):
        return rules
    copies: list[tuple[str, Any]] = []
    for entry in rules:
        actions = entry.get("CopyActions") if isinstance(entry, dict) else entry
        if is_intrinsic(actions) or not isinstance(actions, (list, type(None))):
            return unresolved(f"{rule_name(entry)}: CopyActions = {show(actions)}")
        copies += [(rule_name(entry), action) for action in actions or []]
    if not copies:
        return not_applicable("no copy actions: recovery points stay in the plan's own region")
    results = [_copy(resource, name, action) for name, action in copies]
    failures = [words for verdict, words in results if verdict is False]
    unknown = [words for verdict, words in results if verdict is None]
    if failures:
        return non_compliant("; ".join(failures + unknown))
    if unknown:
        return unresolved("; ".join(unknown))
    return compliant("; ".join(words for _, words in results))


RULE = Rule(
    name="BackupCopyInJapan",
    clauses=("6.1.3", "12.3.1"),
    resource_types=("AWS::Backup::BackupPlan",),
    info="The backup plan copies recovery points somewhere other than a vault in the other Japanese region, or "
         "keeps the copies less than 7 days.",
    explanation=(
        "Backups are customer data and stay in Japan, and the optional copy exists to survive the loss of a region: "
        "every copy action of every rule must send its recovery points to a vault in the other Japanese region "
        "(ap-northeast-3 for a plan in ap-northeast-1, and the reverse), named by a vault of this app (whose stack "
        "sets the region) or by a literal vault ARN, and keep each copy at least 7 days, written out "
        "(Lifecycle.DeleteAfterDays >= 7). When the destination vault is in this app its lock must accept that "
        "retention (at least its LockConfiguration.MinRetentionDays, at most its MaxRetentionDays), or the vault "
        "fails every copy job. A destination known only at deploy time cannot prove where the copy lands. Set the "
        "backup_copy_region setting to the other Japanese region."
    ),
    check=backup_copy_in_japan,
)
