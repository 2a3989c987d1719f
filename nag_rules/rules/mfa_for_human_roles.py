from typing import Any

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved
from nag_rules.standards import MAX_OPERATOR_SESSION_SECONDS


def mfa_for_human_roles(resource: Resource) -> Check:
    statements = resource.prop("AssumeRolePolicyDocument", "Statement", default=[])
    if not isinstance(statements, list):
        return unresolved(f"AssumeRolePolicyDocument = {show(resource.prop('AssumeRolePolicyDocument'))}")
    trusting = [s for s in statements if isinstance(s, dict) and s.get("Effect") == "Allow"
                and _aws_principals(s.get("Principal"))]
    if not trusting:
        return not_applicable("assumed only by AWS services or federated identities")
    for statement in trusting:
        condition = statement.get("Condition") or {}
        mfa = (condition.get("Bool") or {}).get("aws:MultiFactorAuthPresent")
        if is_intrinsic(mfa):
            return unresolved(f"aws:MultiFactorAuthPresent = {show(mfa)}")
        if mfa not in (True, "true"):
            return non_compliant(f"{show(_aws_principals(statement.get('Principal')))} may assume it without MFA")
    duration = resource.prop("MaxSessionDuration", default=3600)
    if is_intrinsic(duration):
        return unresolved(f"MaxSessionDuration = {show(duration)}")
    if not isinstance(duration, int) or duration > MAX_OPERATOR_SESSION_SECONDS:
        return non_compliant(f"MaxSessionDuration = {show(duration)} seconds (> {MAX_OPERATOR_SESSION_SECONDS})")
    return compliant(f"assumable by {show([_aws_principals(s.get('Principal')) for s in trusting])} only with "
                     f"aws:MultiFactorAuthPresent = true; MaxSessionDuration = {duration} s")


def _aws_principals(principal: Any) -> Any:
    if principal == "*":
        return "*"
    if isinstance(principal, dict):
        return principal.get("AWS")
    return None


RULE = Rule(
    name="MfaForHumanRoles",
    clauses=("9.4.4", "9.2.3"),
    resource_types=("AWS::IAM::Role",),
    info="A role that people can assume does not require MFA or allows sessions longer than one hour.",
    explanation=(
        "Privileged access is limited: a role trusted by IAM principals (people, not AWS services) "
        "requires aws:MultiFactorAuthPresent and grants at most one-hour sessions (OperatorRole)."
    ),
    check=mfa_for_human_roles,
    security_hub=("IAM.5",),
)
