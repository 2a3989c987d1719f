from typing import Any, Mapping

from nag_rules.assembly import Resource, contains_intrinsic, referenced_logical_id, show
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved

MINIMUM_TLS = 1.2


def s3_bucket_tls_only(resource: Resource) -> Check:
    policies = [p for p in resource.stack.of_type("AWS::S3::BucketPolicy")
                if resource.is_referenced_by(p.prop("Bucket"))]
    if not policies:
        return non_compliant("no bucket policy: requests over plain HTTP and TLS 1.0/1.1 are accepted")
    statements = [(policy, s) for policy in policies for s in _statements(policy)]
    secure_transport = [p for p, s in statements if _denies(s, resource, "Bool", "aws:SecureTransport", _is_false)]
    tls_version = [p for p, s in statements if _denies(s, resource, "NumericLessThan", "s3:TlsVersion", _is_at_least_minimum)]
    if secure_transport and tls_version:
        return compliant(
            f"{secure_transport[0].path} denies aws:SecureTransport = false and "
            f"s3:TlsVersion < {MINIMUM_TLS} for every principal on the bucket and its objects"
        )
    missing = []
    if not secure_transport:
        missing.append("no Deny of aws:SecureTransport = false")
    if not tls_version:
        missing.append(f"no Deny of s3:TlsVersion < {MINIMUM_TLS}")
    if any(contains_intrinsic(p.prop("PolicyDocument")) and _unrecognised(p) for p in policies):
        return unresolved("; ".join(missing) + " found, and the policy holds values known only at deploy time")
    return non_compliant("; ".join(missing) + f" in {', '.join(p.path for p in policies)}")


def _statements(policy: Resource) -> list[Mapping[str, Any]]:
    statements = policy.prop("PolicyDocument", "Statement", default=[])
    if isinstance(statements, Mapping):
        statements = [statements]
    return [s for s in statements if isinstance(s, Mapping)] if isinstance(statements, list) else []


def _denies(statement: Mapping[str, Any], bucket: Resource, operator: str, key: str, accepts) -> bool:
    if statement.get("Effect") != "Deny" or "NotPrincipal" in statement or "NotAction" in statement:
        return False
    if not _everyone(statement.get("Principal")) or not _all_actions(statement.get("Action")):
        return False
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping) or list(condition) != [operator]:
        return False
    clause = condition[operator]
    if not isinstance(clause, Mapping) or list(clause) != [key] or not accepts(clause[key]):
        return False
    return _covers_bucket_and_objects(statement.get("Resource"), bucket)


def _everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, Mapping) and list(principal) == ["AWS"]:
        value = principal["AWS"]
        return value == "*" or (isinstance(value, list) and "*" in value)
    return False


def _all_actions(action: Any) -> bool:
    actions = action if isinstance(action, list) else [action]
    return "s3:*" in actions or "*" in actions


def _is_false(value: Any) -> bool:
    return value is False or value == "false" or value == ["false"]


def _is_at_least_minimum(value: Any) -> bool:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    try:
        return float(value) >= MINIMUM_TLS
    except (TypeError, ValueError):
        return False


def _covers_bucket_and_objects(resources: Any, bucket: Resource) -> bool:
    values = resources if isinstance(resources, list) else [resources]
    covers_bucket = covers_objects = False
    for value in values:
        if value == "*":
            return True
        if referenced_logical_id(value) == bucket.logical_id:
            covers_bucket = True
        elif _object_arn_of(value) == bucket.logical_id:
            covers_objects = True
    return covers_bucket and covers_objects


def _object_arn_of(value: Any) -> str | None:
    """Logical ID of the bucket in ``{"Fn::Join": ["", [<bucket arn>, "/*"]]}``."""
    if not isinstance(value, Mapping) or list(value) != ["Fn::Join"]:
        return None
    separator, parts = value["Fn::Join"]
    if separator != "" or len(parts) != 2 or parts[1] != "/*":
        return None
    return referenced_logical_id(parts[0])


def _unrecognised(policy: Resource) -> bool:
    """True when a statement that may be a Deny holds an intrinsic other than the bucket ARN forms above."""
    for statement in _statements(policy):
        if statement.get("Effect") == "Allow":
            continue
        for key, value in statement.items():
            if key == "Resource":
                values = value if isinstance(value, list) else [value]
                if any(contains_intrinsic(v) and referenced_logical_id(v) is None and _object_arn_of(v) is None
                       for v in values):
                    return True
            elif contains_intrinsic(value):
                return True
    return False


RULE = Rule(
    name="S3BucketTlsOnly",
    clauses=("10.1.1",),
    resource_types=("AWS::S3::Bucket",),
    info="The S3 bucket policy does not deny requests without TLS or with TLS older than 1.2.",
    explanation=(
        "Communication must be encrypted with TLS 1.2 or newer. The bucket policy must deny every "
        "principal when aws:SecureTransport is false and when s3:TlsVersion is below 1.2, on the "
        "bucket and its objects: set enforce_ssl=True and minimum_tls_version=1.2."
    ),
    check=s3_bucket_tls_only,
    security_hub=("S3.5",),
)
