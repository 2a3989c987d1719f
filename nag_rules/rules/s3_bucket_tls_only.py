import re
from typing import Any, Mapping

from nag_rules.assembly import Resource, contains_intrinsic, getatt
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved
from nag_rules.standards import MINIMUM_TLS



def s3_bucket_tls_only(resource: Resource) -> Check:
    policies = [p for p in resource.stack.of_type("AWS::S3::BucketPolicy")
                if resource.is_referenced_by(p.prop("Bucket"))]
    if not policies:
        return non_compliant("no bucket policy: requests over plain HTTP and TLS 1.0/1.1 are accepted")
    secure_transport, tls_version = _denying(resource, [p for p in policies if p.condition is None])
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
    conditional = [p for p in policies if p.condition is not None]
    if conditional and all(_denying(resource, policies)):
        return unresolved("; ".join(missing) + " in an unconditional policy; "
                          + ", ".join(f"{p.path} exists only if Condition {p.condition} holds" for p in conditional))
    if any(contains_intrinsic(p.prop("PolicyDocument")) and _unrecognised(p) for p in policies):
        return unresolved("; ".join(missing) + " found, and the policy holds values known only at deploy time")
    return non_compliant("; ".join(missing) + f" in {', '.join(p.path for p in policies)}")


def _denying(bucket: Resource, policies: list[Resource]) -> tuple[list[Resource], list[Resource]]:
    """The policies that deny requests without TLS, and those that deny TLS below the minimum."""
    statements = [(policy, s) for policy in policies for s in _statements(policy)]
    return (
        [p for p, s in statements if _denies(s, bucket, "Bool", "aws:SecureTransport", _is_false)],
        [p for p, s in statements if _denies(s, bucket, "NumericLessThan", "s3:TlsVersion", _is_at_least_minimum)],
    )


def _statements(policy: Resource) -> list[Mapping[str, Any]]:
    statements = policy.prop("PolicyDocument", "Statement", default=[])
    if isinstance(statements, dict):
        statements = [statements]
    return [s for s in statements if isinstance(s, dict)] if isinstance(statements, list) else []


def _denies(statement: Mapping[str, Any], bucket: Resource, operator: str, key: str, accepts) -> bool:
    if statement.get("Effect") != "Deny" or "NotPrincipal" in statement or "NotAction" in statement:
        return False
    if not _everyone(statement.get("Principal")) or not _all_actions(statement.get("Action")):
        return False
    condition = statement.get("Condition")
    if not isinstance(condition, dict) or list(condition) != [operator]:
        return False
    clause = condition[operator]
    if not isinstance(clause, dict) or list(clause) != [key] or not accepts(clause[key]):
        return False
    return _covers_bucket_and_objects(statement.get("Resource"), bucket)


def _everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict) and list(principal) == ["AWS"]:
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
    if "*" in values:
        return True
    return any(_is_bucket_arn(v, bucket) for v in values) and any(_is_objects_arn(v, bucket) for v in values)


def _is_bucket_arn(value: Any, bucket: Resource) -> bool:
    if getatt(value) == (bucket.logical_id, "Arn"):
        return True
    name = bucket.prop("BucketName")
    return isinstance(value, str) and isinstance(name, str) and bool(re.fullmatch(rf"arn:[\w-]+:s3:::{re.escape(name)}", value))


def _is_objects_arn(value: Any, bucket: Resource) -> bool:
    """``<bucket ARN>/*``, literally or as ``{"Fn::Join": ["", [<bucket ARN>, "/*"]]}``."""
    if isinstance(value, str):
        return value.endswith("/*") and _is_bucket_arn(value[:-2], bucket)
    if not isinstance(value, dict) or list(value) != ["Fn::Join"]:
        return False
    separator, parts = value["Fn::Join"]
    return separator == "" and len(parts) == 2 and parts[1] == "/*" and _is_bucket_arn(parts[0], bucket)


def _unrecognised(policy: Resource) -> bool:
    """True when a statement that may be a Deny holds an intrinsic other than the bucket ARN forms above."""
    for statement in _statements(policy):
        if statement.get("Effect") == "Allow":
            continue
        for key, value in statement.items():
            if key == "Resource":
                values = value if isinstance(value, list) else [value]
                if any(contains_intrinsic(v) and getatt(v) is None and not _is_join_of_getatt(v) for v in values):
                    return True
            elif contains_intrinsic(value):
                return True
    return False


def _is_join_of_getatt(value: Any) -> bool:
    if not isinstance(value, dict) or list(value) != ["Fn::Join"]:
        return False
    parts = value["Fn::Join"][1] if len(value["Fn::Join"]) == 2 else []
    return all(isinstance(p, str) or getatt(p) is not None for p in parts)


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
