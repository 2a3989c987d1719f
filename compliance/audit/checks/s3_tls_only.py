"""Bucket policies of the audited region refuse plain HTTP and TLS older than 1.2 (10.1.1)."""

import json
from typing import Any

from compliance.audit.buckets import judge_buckets
from compliance.audit.framework import Account, AuditCheck, Finding, call, failed, passed
from nag_rules.standards import MINIMUM_TLS

SECURE_TRANSPORT = ("Bool", "aws:SecureTransport")
TLS_VERSION = ("NumericLessThan", "s3:TlsVersion")


def s3_tls_only(account: Account) -> list[Finding]:
    def judge(s3, name: str, arn: str) -> tuple:
        answer = call(s3, "get_bucket_policy", absent=("NoSuchBucketPolicy",), Bucket=name)
        if answer is None:
            return failed, "GetBucketPolicy: NoSuchBucketPolicy"
        statements = json.loads(answer["Policy"]).get("Statement", [])
        statements = [statements] if isinstance(statements, dict) else statements
        plain = _denying(statements, arn, SECURE_TRANSPORT, lambda v: str(v).lower() == "false")
        old = _denying(statements, arn, TLS_VERSION, _at_least_minimum)
        missing = [words for words, sid in ((f"no Deny of {SECURE_TRANSPORT[1]} = false", plain),
                                            (f"no Deny of {TLS_VERSION[1]} < {MINIMUM_TLS}", old)) if sid is None]
        if missing:
            return failed, ("GetBucketPolicy.Policy: " + "; ".join(missing)
                            + " for every principal on the bucket and its objects")
        return passed, (f"GetBucketPolicy.Policy: statement {plain} denies {SECURE_TRANSPORT[1]} = false, "
                        f"statement {old} denies {TLS_VERSION[1]} < {MINIMUM_TLS}, to every principal")
    return judge_buckets(account, judge)


def _denying(statements: list[Any], arn: str, condition: tuple[str, str], accepts) -> str | None:
    """The Sid (or index) of the first statement denying every action to everyone on the bucket and its objects
    under exactly ``condition`` with a value ``accepts`` takes, or None."""
    operator, key = condition
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict) or statement.get("Effect") != "Deny" \
                or {"NotPrincipal", "NotAction", "NotResource"} & set(statement):
            continue
        principal = statement.get("Principal")
        if principal != "*" and not (isinstance(principal, dict) and _values(principal.get("AWS")) == ["*"]):
            continue
        if not {"s3:*", "*"} & set(_values(statement.get("Action"))):
            continue
        clause = statement.get("Condition")
        if not isinstance(clause, dict) or list(clause) != [operator] or not isinstance(clause[operator], dict) \
                or list(clause[operator]) != [key] or not all(accepts(v) for v in _values(clause[operator][key])):
            continue
        resources = _values(statement.get("Resource"))
        if "*" in resources or {arn, f"{arn}/*"} <= set(resources):
            return str(statement.get("Sid", index))
    return None


def _values(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _at_least_minimum(value: Any) -> bool:
    try:
        return float(value) >= MINIMUM_TLS
    except (TypeError, ValueError):
        return False


CHECK = AuditCheck(
    id="S3TlsOnly",
    clauses=("10.1.1",),
    title=f"Every S3 bucket policy of the audited region denies requests without TLS and with TLS older than "
          f"{MINIMUM_TLS}.",
    run=s3_tls_only,
    synth_rule="ISO27017-S3BucketTlsOnly",
)
