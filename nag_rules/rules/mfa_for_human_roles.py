from typing import Any

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import admits_everyone, aws_principals, people_trust
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved

IDENTITY_CENTER_ROLE = ":role/aws-reserved/sso.amazonaws.com/"
"""The path under which IAM Identity Center creates the roles of its permission sets."""


def mfa_for_human_roles(resource: Resource) -> Check:
    trusting = people_trust(resource)
    if isinstance(trusting, Check):
        return trusting
    for statement in trusting:
        principals = aws_principals(statement.get("Principal"))
        condition = statement.get("Condition") or {}
        mfa = (condition.get("Bool") or {}).get("aws:MultiFactorAuthPresent")
        if is_intrinsic(mfa):
            return unresolved(f"aws:MultiFactorAuthPresent = {show(mfa)}")
        if mfa in (True, "true") and not admits_everyone(principals):
            continue
        federated = _identity_center_only(condition)
        if federated and not admits_everyone(principals):
            return unresolved(f"assumable only from IAM Identity Center sessions ({federated}): whether Identity "
                              "Center requires MFA at sign-in is an organisation setting the template cannot show")
        return non_compliant(f"{show(principals)} may assume it without MFA"
                             if mfa not in (True, "true") else "Principal is '*': MFA of anyone at all")
    return compliant(f"assumable by {show([aws_principals(s.get('Principal')) for s in trusting])} only with "
                     "aws:MultiFactorAuthPresent = true")


def _identity_center_only(condition: dict[str, Any]) -> str | None:
    """The aws:PrincipalArn pattern if the condition admits only IAM Identity Center permission-set roles."""
    for operator in ("ArnLike", "ArnEquals", "StringLike", "StringEquals"):
        patterns = (condition.get(operator) or {}).get("aws:PrincipalArn")
        patterns = [patterns] if isinstance(patterns, str) else patterns
        if patterns and all(isinstance(p, str) and IDENTITY_CENTER_ROLE in p for p in patterns):
            return ", ".join(patterns)
    return None


RULE = Rule(
    name="MfaForHumanRoles",
    clauses=("9.4.4", "9.2.3"),
    resource_types=("AWS::IAM::Role",),
    info="A role that people can assume does not require MFA.",
    explanation=(
        "Privileged access needs a second factor: a role trusted by IAM principals (people, not AWS "
        "services) requires aws:MultiFactorAuthPresent (OperatorRole with identity_account). A role trusted "
        "only by IAM Identity Center permission sets is unresolved: Identity Center enforces MFA at sign-in, "
        "outside the template, so the finding is acknowledged with that reason. Who may assume the role and "
        "for how long is HumanRoleTrust's concern."
    ),
    check=mfa_for_human_roles,
    security_hub=("IAM.5",),
)
