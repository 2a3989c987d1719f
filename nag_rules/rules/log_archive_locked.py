from fnmatch import fnmatchcase
from typing import Any

from nag_rules.assembly import Resource, contains_intrinsic, getatt, is_intrinsic, referenced_logical_id, show
from nag_rules.cfn import admits_everyone, aws_principals, text
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, not_applicable, unresolved
from nag_rules.rules.s3_bucket_versioning import s3_bucket_versioning
from nag_rules.standards import MINIMUM_LOG_RETENTION_DAYS

LOG_WRITERS = ("AWS::CloudTrail::Trail", "AWS::Config::DeliveryChannel")
"""Resources that deliver logs to the bucket their S3BucketName names."""

PROTECTED_ACTIONS = ("s3:DeleteObject", "s3:DeleteObjectVersion")

SAMPLE_KEYS = ("", "AWSLogs/123456789012/CloudTrail/ap-northeast-1/2024/01/01/x.json.gz", "x")
"""Object keys a Deny must cover for it to cover every object of the bucket."""


def log_archive_locked(resource: Resource) -> Check:
    writers = _log_writers(resource)
    if not writers:
        return not_applicable("no trail or AWS Config delivery channel writes to this bucket")
    if all(writer.type == "AWS::Config::DeliveryChannel" for writer in writers):
        enabled = resource.prop("ObjectLockEnabled")
        if is_intrinsic(enabled):
            return unresolved(f"ObjectLockEnabled = {show(enabled)}")
        if enabled in (True, "true"):
            return non_compliant("ObjectLockEnabled = true: AWS Config refuses to deliver to a bucket with Object "
                                 "Lock, so no configuration record would arrive")
        lock = compliant("no Object Lock (AWS Config cannot deliver to a bucket that has it): the deny-delete "
                         "policy and versioning protect these records")
    else:
        lock = _object_lock(resource)
    checks = [lock, s3_bucket_versioning(resource), denies_object_deletion(resource)]
    for outcome in (Outcome.NON_COMPLIANT, Outcome.UNRESOLVED):
        found = [c.evidence for c in checks if c.outcome is outcome]
        if found:
            return Check(outcome, "; ".join(found))
    return compliant(f"receives logs from {', '.join(w.path for w in writers)}; "
                     + "; ".join(c.evidence for c in checks))


def _log_writers(bucket: Resource) -> list[Resource]:
    """The trails and delivery channels whose S3BucketName names ``bucket``, by reference or by its literal name."""
    name = text(bucket.prop("BucketName"), bucket)
    found = []
    for writer in bucket.stack.assembly.of_type(*LOG_WRITERS):
        value = writer.prop("S3BucketName")
        if writer.target(value) is bucket or (name is not None and text(value, writer) == name):
            found.append(writer)
    return found


def _object_lock(bucket: Resource) -> Check:
    enabled = bucket.prop("ObjectLockEnabled")
    if is_intrinsic(enabled):
        return unresolved(f"ObjectLockEnabled = {show(enabled)}")
    if enabled not in (True, "true"):
        return non_compliant(f"ObjectLockEnabled = {'(absent: false)' if enabled is None else show(enabled)}: "
                             "any version of a log object can be deleted")
    retention = bucket.prop("ObjectLockConfiguration", "Rule", "DefaultRetention")
    if retention is None:
        return non_compliant("ObjectLockConfiguration.Rule.DefaultRetention absent: objects are locked only "
                             "if their writer asks, and log deliveries do not")
    if contains_intrinsic(retention) or not isinstance(retention, dict):
        return unresolved(f"DefaultRetention = {show(retention)}")
    mode = retention.get("Mode")
    days = _number(retention.get("Days"))
    years = _number(retention.get("Years"))
    if days is None and years is None:
        return unresolved(f"DefaultRetention = {show(retention)}: neither Days nor Years is a number")
    period = f"{years} years" if years is not None else f"{days} days"
    if (years is not None and years < 1) or (years is None and days < MINIMUM_LOG_RETENTION_DAYS):
        return non_compliant(f"DefaultRetention = {period} (< {MINIMUM_LOG_RETENTION_DAYS} days)")
    if mode == "COMPLIANCE":
        return compliant(f"Object Lock COMPLIANCE mode, {period}: no one, root included, can shorten it "
                         "or delete a locked version")
    if mode == "GOVERNANCE":
        return compliant(f"Object Lock GOVERNANCE mode, {period} (principals allowed "
                         "s3:BypassGovernanceRetention can shorten it or delete a locked version)")
    return non_compliant(f"DefaultRetention.Mode = {show(mode)}: neither GOVERNANCE nor COMPLIANCE")


def _number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def denies_object_deletion(bucket: Resource) -> Check:
    policies = [p for p in bucket.stack.assembly.of_type("AWS::S3::BucketPolicy")
                if p.target(p.prop("Bucket")) is bucket]
    if not policies:
        return non_compliant("no bucket policy: nothing denies deleting log objects or their versions")
    unknown, conditional = [], []
    for policy in policies:
        for sid, statement in _statements(policy):
            verdict = _denies_delete(statement, bucket)
            if verdict is True and not statement.get("Condition"):
                if policy.condition is not None:
                    unknown.append(f"{policy.path} exists only if Condition {policy.condition} holds")
                    continue
                return compliant(f"{policy.path} ({sid}) denies {' and '.join(PROTECTED_ACTIONS)} to every "
                                 "principal on every object, unconditionally")
            if verdict is True:
                conditional.append(f"{policy.path} ({sid}) denies deleting only when "
                                   f"{show(statement['Condition'])}")
            elif verdict is None:
                unknown.append(f"{policy.path} ({sid}) holds values known only at deploy time")
    if unknown:
        return unresolved("no unconditional Deny of deleting log objects found; " + "; ".join(unknown + conditional))
    return non_compliant("no statement denies " + " and ".join(PROTECTED_ACTIONS) + " to every principal on "
                         f"every object without conditions{': ' + '; '.join(conditional) if conditional else ''}")


def _statements(policy: Resource) -> list[tuple[str, dict[str, Any]]]:
    statements = policy.prop("PolicyDocument", "Statement", default=[])
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return []
    return [(show(s.get("Sid", f"statement {i}")), s) for i, s in enumerate(statements) if isinstance(s, dict)]


def _denies_delete(statement: dict[str, Any], bucket: Resource) -> bool | None:
    """Whether a Deny statement covers both delete actions for every principal on every object of the
    bucket (its Condition aside); None if its values are known only at deploy time."""
    if statement.get("Effect") != "Deny" or "NotPrincipal" in statement or "NotAction" in statement \
            or "NotResource" in statement:
        return False
    principal = statement.get("Principal")
    if principal != "*" and not (isinstance(principal, dict) and list(principal) == ["AWS"]
                                 and admits_everyone(aws_principals(principal))):
        return False
    actions = statement.get("Action")
    actions = actions if isinstance(actions, list) else [actions]
    if any(not isinstance(a, str) for a in actions):
        return None
    if not all(any(fnmatchcase(wanted.lower(), a.lower()) for a in actions) for wanted in PROTECTED_ACTIONS):
        return False
    resources = statement.get("Resource")
    resources = resources if isinstance(resources, list) else [resources]
    patterns = [_arn_pattern(r, bucket) for r in resources]
    name = text(bucket.prop("BucketName"), bucket) or BUCKET
    objects = [f"arn:aws:s3:::{name}/{key}" for key in SAMPLE_KEYS]
    if any(p is not None and all(fnmatchcase(o, p) for o in objects) for p in patterns):
        return True
    return None if any(p is None for p in patterns) else False


BUCKET = "\x01bucket"
"""Stands for the name of a bucket that has no literal BucketName."""


def _arn_pattern(value: Any, bucket: Resource) -> str | None:
    """A Resource entry as text, the bucket's own Ref and Arn written with its name; None if unknown."""
    if isinstance(value, str):
        return value
    name = text(bucket.prop("BucketName"), bucket) or BUCKET
    if getatt(value) == (bucket.logical_id, "Arn"):
        return f"arn:aws:s3:::{name}"
    if referenced_logical_id(value) == bucket.logical_id and "Ref" in value:
        return name
    if isinstance(value, dict) and list(value) == ["Fn::Join"] and isinstance(value["Fn::Join"], list) \
            and len(value["Fn::Join"]) == 2 and isinstance(value["Fn::Join"][1], list):
        separator, parts = value["Fn::Join"]
        pieces = [_arn_pattern(part, bucket) for part in parts]
        return None if any(p is None for p in pieces) or not isinstance(separator, str) else separator.join(pieces)
    return text(value, bucket)


RULE = Rule(
    name="LogArchiveLocked",
    clauses=("18.1.3", "16.1.7", "12.4.1"),
    resource_types=("AWS::S3::Bucket",),
    info="The bucket that receives CloudTrail or AWS Config logs is not write-once for 365 days, versioned "
         "and protected by a policy that denies deleting objects.",
    explanation=(
        "Logs are evidence: kept 12 months and protected from tampering. A bucket a trail writes to must have "
        "Object Lock with a default retention of at least 365 days "
        "(COMPLIANCE mode binds everyone; GOVERNANCE mode can be bypassed by principals allowed "
        "s3:BypassGovernanceRetention), versioning, and a bucket policy whose unconditional Deny for every "
        "principal covers s3:DeleteObject and s3:DeleteObjectVersion on every object (delete markers are not "
        "stopped by Object Lock). A bucket only AWS Config writes to needs the versioning and the Deny but "
        "not Object Lock, which AWS Config refuses. Use the LogArchiveBucket construct, or deny_object_deletion()."
    ),
    check=log_archive_locked,
    security_hub=("S3.15", "S3.14"),
)
