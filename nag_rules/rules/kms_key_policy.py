from typing import Any

from nag_rules.assembly import Resource, show
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved

LIMITING_CONDITIONS = ("aws:SourceAccount", "aws:SourceArn", "aws:PrincipalOrgID", "aws:PrincipalAccount",
                       "kms:CallerAccount", "aws:SourceOrgID")


def kms_key_policy(resource: Resource) -> Check:
    statements = resource.prop("KeyPolicy", "Statement", default=[])
    if not isinstance(statements, list):
        return unresolved(f"KeyPolicy = {show(resource.prop('KeyPolicy'))[:200]}")
    principals = []
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        if _anyone(principal) and not _limited(statement.get("Condition") or {}):
            return non_compliant(f"statement {statement.get('Sid', '(no Sid)')} allows {show(statement.get('Action'))} "
                                 "to any principal without a condition limiting it to this account")
        principals.append(_describe(principal))
    return compliant("key policy names its principals: " + "; ".join(sorted(set(principals))))


def _anyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        value = principal.get("AWS")
        return value == "*" or (isinstance(value, list) and "*" in value)
    return False


def _limited(condition: dict[str, Any]) -> bool:
    return any(key in LIMITING_CONDITIONS for clause in condition.values() if isinstance(clause, dict) for key in clause)


def _describe(principal: Any) -> str:
    if isinstance(principal, dict):
        return ", ".join(f"{kind} {show(value)}" for kind, value in principal.items())
    return show(principal)


RULE = Rule(
    name="KmsKeyPolicy",
    clauses=("10.1.1", "8.1.1"),
    resource_types=("AWS::KMS::Key",),
    info="The KMS key policy lets any principal use the key.",
    explanation=(
        "Each data class's key is usable only by the services and roles that need it: no key policy "
        "statement allows Principal \"*\" unless a condition pins it to this account or organisation."
    ),
    check=kms_key_policy,
    security_hub=("KMS.1", "KMS.2"),
)
