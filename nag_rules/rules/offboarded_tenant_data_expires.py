import math
from typing import Any

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import tags
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved
from nag_rules.rules.backup_plan_daily_retention import delete_after_days, plan_rules, rule_name, target_vault
from nag_rules.rules.customer_data_backed_up import CUSTOMER, _selects, same_environment
from nag_rules.standards import DATA_CLASSIFICATION_TAG

TENANT_STATUS_TAG = "TenantStatus"
OFFBOARDED = "offboarded"
"""Objects of a tenant whose contract has ended are tagged TenantStatus = offboarded."""
MAX_DAYS = 59
"""From tagging to the removal of the last version and copy. The whitepaper's deadline, the end of the month after
next (CLD.8.1.5), is 59 days away at its shortest (a contract ending on 31 December, deleted by 28 February)."""


EXPIRING = ("ExpirationInDays", "ExpirationDate", "NoncurrentVersionExpiration", "NoncurrentVersionExpirationInDays")
"""A lifecycle rule without any of these removes no version (it may clear delete markers or abort uploads)."""


def _days(value: Any) -> int | None | str:
    """Whole days; None if absent; the words when unreadable or known only at deploy time."""
    if value is None:
        return None
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return show(value)


def _selects_offboarded(rule: dict[str, Any]) -> tuple[bool | None, str]:
    """Whether the rule's filter takes every object tagged TenantStatus = offboarded, and how (or why not)."""
    filter_ = rule.get("Filter") or {}
    if not isinstance(filter_, dict) or is_intrinsic(filter_):
        return None, f"Filter = {show(filter_)}"
    narrowing = [f"Filter.{k}" for k in filter_ if k not in ("TagFilters", "Prefix")]
    narrowing += [k for k in ("ObjectSizeGreaterThan", "ObjectSizeLessThan") if rule.get(k) is not None]
    for where, prefix in (("Prefix", rule.get("Prefix")), ("Filter.Prefix", filter_.get("Prefix"))):
        if is_intrinsic(prefix):
            return None, f"{where} = {show(prefix)}"
        if prefix:
            narrowing.append(f"{where} = {prefix}")
    pairs = []
    for where, entries in (("TagFilters", rule.get("TagFilters")), ("Filter.TagFilters", filter_.get("TagFilters"))):
        if entries is not None and (is_intrinsic(entries) or not isinstance(entries, list)):
            return None, f"{where} = {show(entries)}"
        for entry in entries or []:
            if not isinstance(entry, dict) or is_intrinsic(entry.get("Key")) or is_intrinsic(entry.get("Value")):
                return None, f"{where} entry {show(entry)}"
            pairs.append((entry.get("Key"), entry.get("Value")))
    narrowing += [f"tag {show(k)} = {show(v)}" for k, v in pairs if (k, v) != (TENANT_STATUS_TAG, OFFBOARDED)]
    if narrowing:
        return False, f"only objects with {', '.join(narrowing)}"
    return True, f"objects tagged {TENANT_STATUS_TAG} = {OFFBOARDED}" if pairs else "every object"


def _shortest(rules: list[tuple[str, dict[str, Any]]], named: bool,
              *fields: tuple[str, ...]) -> tuple[int | None, str, list[str]]:
    """The fewest days any of ``fields`` gives among the rules, in words (``named``: with the rule), and the values
    known only at deploy time."""
    best: int | None = None
    words, unknown = "", []
    for name, rule in rules:
        for path in fields:
            value: Any = rule
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            days = _days(value)
            if isinstance(days, str):
                unknown.append(f"{name}: {'.'.join(path)} = {days}")
            elif days is not None and (best is None or days < best):
                best, words = days, f"{'.'.join(path)} = {days}" + (f" ({name})" if named else "")
    return best, words, unknown


def _removes_every_noncurrent_version(rule: dict[str, Any]) -> bool:
    """NewerNoncurrentVersions keeps that many noncurrent versions however old."""
    kept = rule.get("NoncurrentVersionExpiration")
    return not isinstance(kept, dict) or kept.get("NewerNoncurrentVersions") in (None, 0, "0")


def _versioned(bucket: Resource) -> bool | Check:
    status = bucket.prop("VersioningConfiguration", "Status")
    if is_intrinsic(status):
        return unresolved(f"VersioningConfiguration.Status = {show(status)}")
    return status in ("Enabled", "Suspended")  # a suspended bucket still holds its noncurrent versions


def _lock_days(bucket: Resource) -> int | None | Check:
    """The default Object Lock retention in days, during which no lifecycle rule removes a version."""
    retention = bucket.prop("ObjectLockConfiguration", "Rule", "DefaultRetention")
    if retention is None:
        return None
    if not isinstance(retention, dict) or is_intrinsic(retention):
        return unresolved(f"ObjectLockConfiguration.Rule.DefaultRetention = {show(retention)}")
    days, years = _days(retention.get("Days")), _days(retention.get("Years"))
    if isinstance(days, str) or isinstance(years, str):
        return unresolved(f"ObjectLockConfiguration.Rule.DefaultRetention = {show(retention)}")
    return days if days is not None else None if years is None else years * 365


def _recovery_points(bucket: Resource) -> tuple[float, str] | None:
    """The longest AWS Backup keeps recovery points of the bucket or their copies (inf: until deleted by hand), in
    words; None when no backup plan of the app is known to select it or a retention is known only at deploy time."""
    longest: tuple[float, str] | None = None
    for selection in bucket.stack.assembly.of_type("AWS::Backup::BackupSelection"):
        plan = selection.target(selection.prop("BackupPlanId"))
        if plan is None or plan.type != "AWS::Backup::BackupPlan" \
                or same_environment(selection.stack, bucket.stack) is not True \
                or _selects(selection, bucket, tags(bucket))[0] is not True:
            continue
        entries = plan_rules(plan)
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                return None
            vault = target_vault(plan, entry.get("TargetBackupVault"))
            kept = [(delete_after_days(entry), f"in {vault.path if isinstance(vault, Resource) else 'its vault'}")]
            kept += [(delete_after_days(a), "as copies") for a in entry.get("CopyActions") or [] if isinstance(a, dict)]
            for days, where in kept:
                if isinstance(days, str):
                    return None
                span = math.inf if days is None else days
                if longest is None or span > longest[0]:
                    longest = (span, f"{plan.path} {rule_name(entry)} keeps recovery points {where} "
                                     + ("until deleted by hand" if days is None else f"{days} days"))
    return longest


def offboarded_tenant_data_expires(resource: Resource) -> Check:
    data_class = tags(resource).get(DATA_CLASSIFICATION_TAG)
    if is_intrinsic(data_class):
        return unresolved(f"{DATA_CLASSIFICATION_TAG} = {show(data_class)}")
    if data_class != CUSTOMER:
        return not_applicable(f"{DATA_CLASSIFICATION_TAG} = {show(data_class)}")
    rules = resource.prop("LifecycleConfiguration", "Rules", default=[])
    if is_intrinsic(rules) or not isinstance(rules, list):
        return unresolved(f"LifecycleConfiguration.Rules = {show(rules)}")
    versioned, lock = _versioned(resource), _lock_days(resource)
    if isinstance(versioned, Check):
        return versioned
    if isinstance(lock, Check):
        return lock
    applying, disabled, unknown, others = [], [], [], []
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict) or is_intrinsic(rule):
            unknown.append(f"lifecycle rule {show(rule)}")
            continue
        if not any(field in rule for field in EXPIRING):
            continue
        name = f"lifecycle rule {show(rule.get('Id', index))}"
        selects, how = _selects_offboarded(rule)
        status = rule.get("Status")
        if selects is None or (selects and is_intrinsic(status)):
            unknown.append(f"{name}: {how if selects is None else f'Status = {show(status)}'}")
        elif not selects:
            others.append(f"{name} expires {how}")
        elif status != "Enabled":
            disabled.append(f"{name} selects {how} but is {show(status or 'without Status')}")
        else:
            applying.append((name, rule))
    named = len(applying) > 1
    every_version = [(n, r) for n, r in applying if _removes_every_noncurrent_version(r)]
    expiry, expiry_words, unknown_expiry = _shortest(applying, named, ("ExpirationInDays",))
    noncurrent, noncurrent_words, unknown_noncurrent = _shortest(
        every_version, named, ("NoncurrentVersionExpiration", "NoncurrentDays"), ("NoncurrentVersionExpirationInDays",))
    unknown += unknown_expiry + (unknown_noncurrent if versioned else [])
    selecting = "; ".join([*(f"{n} selects {_selects_offboarded(r)[1]}" for n, r in applying), *disabled])
    if expiry is None:
        why = f"no enabled lifecycle rule expires objects tagged {TENANT_STATUS_TAG} = {OFFBOARDED} (ExpirationInDays)"
        return _verdict(unknown, "; ".join(filter(None, [why, selecting, *others])))
    steps, total = expiry_words, expiry
    if versioned and noncurrent is None:
        keeping = [f"{n} keeps the newest {r['NoncurrentVersionExpiration']['NewerNoncurrentVersions']} noncurrent "
                   "versions (NewerNoncurrentVersions)" for n, r in applying if (n, r) not in every_version]
        return _verdict(unknown, "; ".join([
            f"{selecting}: {steps}", "but the bucket is versioned and no enabled rule selecting them removes every "
            "noncurrent version (NoncurrentVersionExpiration.NoncurrentDays): each expired object stays as a "
            "noncurrent version", *keeping]))
    if versioned and noncurrent is not None:
        steps, total = f"{steps}, then (versioned) {noncurrent_words}", expiry + noncurrent
    if lock is not None and lock > total:
        steps, total = f"{steps}, but Object Lock keeps each version {lock} days (DefaultRetention)", lock
    if total > MAX_DAYS:
        return _verdict(unknown, f"{selecting}: {steps}: removed up to {total} days after tagging (> {MAX_DAYS})")
    evidence = f"{selecting}: {steps}: removed within {total} days of tagging (<= {MAX_DAYS})"
    backups = _recovery_points(resource)
    if backups is not None:
        latest, words = total + backups[0], backups[1]
        if latest > MAX_DAYS:
            return non_compliant(f"{evidence}; but {words}, so its copies outlive that "
                                 f"({'never removed' if math.isinf(latest) else f'{latest:g} days'} > {MAX_DAYS})")
        evidence += f"; {words}, so the last copy is gone within {latest:g} days"
    return compliant(evidence)


def _verdict(unknown: list[str], evidence: str) -> Check:
    """Not proven: unresolved if a rule known only at deploy time might prove it."""
    return unresolved("; ".join([evidence, *unknown])) if unknown else non_compliant(evidence)


RULE = Rule(
    name="OffboardedTenantDataExpires",
    clauses=("CLD.8.1.5",),
    resource_types=("AWS::S3::Bucket",),
    info="A customer data bucket does not remove objects tagged TenantStatus = offboarded, and their versions and "
         f"backups, within {MAX_DAYS} days.",
    explanation=(
        "After a contract ends the customer's data and its copies are deleted by the end of the month after next. "
        "Offboarding tags the tenant's objects TenantStatus = offboarded (every version: S3 tags each version on "
        "its own, and a lifecycle filter sees only a version's own tags); every bucket tagged DataClassification "
        "= customer needs an enabled lifecycle rule whose filter takes those objects (TagFilters "
        "TenantStatus = offboarded and nothing narrower: no Prefix, no other tag, no size limit) with "
        "ExpirationInDays and, when versioned, NoncurrentVersionExpiration.NoncurrentDays (without "
        f"NewerNoncurrentVersions), adding up to at most {MAX_DAYS} days (the shortest span to the end of the month "
        "after next): the current version becomes noncurrent at "
        "expiry and is removed NoncurrentDays later. An Object Lock default retention longer than that keeps "
        "versions past it, and AWS Backup recovery points of the bucket (found through the app's backup "
        f"selections) must expire within the same {MAX_DAYS} days. Use the lifecycle rule the customer bucket "
        "construct adds, and tag within days of the contract's end."
    ),
    check=offboarded_tenant_data_expires,
)
