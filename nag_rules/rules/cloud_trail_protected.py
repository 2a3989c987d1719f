from typing import Any

from nag_rules.assembly import Resource, contains_intrinsic, is_intrinsic, show
from nag_rules.cfn import customer_managed_key, text
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, unresolved


def cloud_trail_protected(resource: Resource) -> Check:
    checks = [
        _flag(resource, "IsLogging", "the trail records nothing"),
        _flag(resource, "IsMultiRegionTrail", "calls in other regions go unrecorded"),
        _global_events(resource),
        _management_events(resource),
        _flag(resource, "EnableLogFileValidation", "changed or deleted log files cannot be detected"),
        _key(resource),
        _cloudwatch_logs(resource),
        _archive(resource),
    ]
    for outcome in (Outcome.NON_COMPLIANT, Outcome.UNRESOLVED):
        found = [c.evidence for c in checks if c.outcome is outcome]
        if found:
            return Check(outcome, "; ".join(found))
    return compliant("; ".join(c.evidence for c in checks))


def _archive(trail: Resource) -> Check:
    """The bucket must be one of this app, so that LogArchiveLocked judges whether it is write-once."""
    value = trail.prop("S3BucketName")
    bucket = trail.target(value)
    if bucket is not None and bucket.type == "AWS::S3::Bucket":
        return compliant(f"log files delivered to {bucket.path}")
    name = text(value, trail)
    if name is not None:
        for candidate in trail.stack.assembly.of_type("AWS::S3::Bucket"):
            if candidate.stack.account == trail.stack.account and text(candidate.prop("BucketName"), candidate) == name:
                return compliant(f"log files delivered to {candidate.path} (S3BucketName = {name})")
    return unresolved(f"S3BucketName = {show(value)}: the archive bucket is outside this app, so whether it is "
                      "write-once cannot be known")


def _flag(trail: Resource, name: str, otherwise: str) -> Check:
    value = trail.prop(name)
    if is_intrinsic(value):
        return unresolved(f"{name} = {show(value)}")
    if value in (True, "true"):
        return compliant(f"{name} = true")
    shown = "(absent: false)" if value is None else show(value)
    return non_compliant(f"{name} = {shown}: {otherwise}")


def _global_events(trail: Resource) -> Check:
    value = trail.prop("IncludeGlobalServiceEvents")
    if is_intrinsic(value):
        return unresolved(f"IncludeGlobalServiceEvents = {show(value)}")
    if value in (False, "false"):
        return non_compliant("IncludeGlobalServiceEvents = false: IAM, STS and other global service calls go unrecorded")
    return compliant(f"IncludeGlobalServiceEvents = {'(absent: true)' if value is None else show(value)}")


def _management_events(trail: Resource) -> Check:
    """Read and write management events of every source: CloudTrail's default, unless selectors narrow it."""
    advanced = trail.prop("AdvancedEventSelectors")
    if advanced:
        return _advanced_selectors(advanced)
    selectors = trail.prop("EventSelectors")
    if not selectors:
        return compliant("management events: read and write, every source (no event selectors)")
    if contains_intrinsic(selectors) or not isinstance(selectors, list):
        return unresolved(f"EventSelectors = {show(selectors)[:200]}")
    kinds: set[str] = set()
    for index, selector in enumerate(s for s in selectors if isinstance(s, dict)):
        if selector.get("IncludeManagementEvents", True) in (False, "false"):
            continue
        excluded = selector.get("ExcludeManagementEventSources")
        if excluded:
            return non_compliant(f"EventSelectors[{index}] excludes management events of {show(excluded)}")
        kinds.add(selector.get("ReadWriteType", "All"))
    if "All" in kinds or {"ReadOnly", "WriteOnly"} <= kinds:
        return compliant("management events: read and write, every source (EventSelectors)")
    recorded = f"only {', '.join(sorted(kinds))}" if kinds else "none"
    return non_compliant(f"management events recorded by EventSelectors: {recorded}, not read and write")


def _advanced_selectors(selectors: Any) -> Check:
    if contains_intrinsic(selectors) or not isinstance(selectors, list):
        return unresolved(f"AdvancedEventSelectors = {show(selectors)[:200]}")
    kinds: set[str] = set()
    narrowed = []
    for selector in (s for s in selectors if isinstance(s, dict)):
        fields = {f.get("Field"): f for f in selector.get("FieldSelectors") or [] if isinstance(f, dict)}
        category = fields.pop("eventCategory", None)
        if category is None or "Management" not in (category.get("Equals") or []):
            continue
        read_only = fields.pop("readOnly", {})
        if fields or set(read_only) - {"Field", "Equals", "NotEquals"}:
            narrowed.append(f"{show(selector.get('Name', 'a selector'))} filters management events by "
                            f"{', '.join(sorted(map(str, fields or {'readOnly': None})))}")
            continue
        values = {"true", "false"}
        if "Equals" in read_only:
            values &= set(read_only["Equals"] or [])
        values -= set(read_only.get("NotEquals") or [])
        kinds.update("read" if v == "true" else "write" for v in values)
    if {"read", "write"} <= kinds:
        return compliant("management events: read and write, every source (AdvancedEventSelectors)")
    if narrowed:
        return non_compliant("AdvancedEventSelectors: " + "; ".join(narrowed))
    recorded = f"only {', '.join(sorted(kinds))}" if kinds else "none"
    return non_compliant(f"management events recorded by AdvancedEventSelectors: {recorded}, not read and write")


def _key(trail: Resource) -> Check:
    key = trail.prop("KMSKeyId")
    if key is None:
        return non_compliant("KMSKeyId absent: log files are encrypted with SSE-S3 only")
    found = customer_managed_key(trail, key, "KMSKeyId")
    return found if isinstance(found, Check) else compliant(f"KMSKeyId = {found} (customer managed)")


def _cloudwatch_logs(trail: Resource) -> Check:
    value = trail.prop("CloudWatchLogsLogGroupArn")
    if value is None:
        return non_compliant("CloudWatchLogsLogGroupArn absent: events are not delivered to CloudWatch Logs, "
                             "so no metric filter or alarm can watch them")
    role_value = trail.prop("CloudWatchLogsRoleArn")
    if role_value is None:
        return non_compliant("CloudWatchLogsRoleArn absent: CloudTrail cannot write to the log group")
    group = trail.target(value)
    if group is None or group.type != "AWS::Logs::LogGroup":
        return unresolved(f"CloudWatchLogsLogGroupArn = {show(value)}: not a log group of this app, "
                          "its retention and encryption cannot be known")
    role = trail.target(role_value)
    return compliant(f"delivered to CloudWatch Logs {group.path} (role "
                     f"{role.path if role is not None else show(role_value)})")


RULE = Rule(
    name="CloudTrailProtected",
    clauses=("12.4.1", "18.1.3", "16.1.7"),
    resource_types=("AWS::CloudTrail::Trail",),
    info="The CloudTrail trail is not logging every region's read and write management events, "
         "validated, KMS-encrypted, delivered to CloudWatch Logs and to a bucket of this app.",
    explanation=(
        "Access logs are kept for 12 months and protected from tampering: the trail must be logging "
        "(IsLogging), multi-region with global service events, record read and write management events of "
        "every source, validate log files (EnableLogFileValidation: a digest chain shows any change or "
        "deletion), encrypt them with a customer managed key (KMSKeyId) and deliver them to a CloudWatch "
        "Logs group (CloudWatchLogsLogGroupArn and CloudWatchLogsRoleArn) where alarms can watch them. The "
        "S3BucketName must name a bucket of this app (by reference or its literal BucketName), so that "
        "LogArchiveLocked can show it is write-once; a bucket outside the app leaves that unknown."
    ),
    check=cloud_trail_protected,
    security_hub=("CloudTrail.1", "CloudTrail.2", "CloudTrail.4", "CloudTrail.5"),
)
