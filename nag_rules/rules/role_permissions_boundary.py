import re
from typing import Any

from nag_rules.assembly import Resource, contains_intrinsic, is_intrinsic, show
from nag_rules.cfn import as_json
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved

REQUIRED_DENIALS = ("iam:CreateRole", "iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy",
                    "iam:CreateUser", "iam:CreateAccessKey", "iam:DeleteRolePermissionsBoundary",
                    "iam:PutRolePermissionsBoundary", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion")
"""Identity changes a bounded role must never be able to make, whatever its own policies say: each one would
let it create or empower a principal beyond its boundary, or lift or rewrite the boundary itself."""


def role_permissions_boundary(resource: Resource) -> Check:
    services = service_principals(resource)
    if isinstance(services, Check):
        return services
    boundary = resource.prop("PermissionsBoundary")
    trusted = f"assumed only by {show(services)}"
    if boundary is None:
        return non_compliant(f"{trusted}, with no PermissionsBoundary: nothing caps what its policies may grant")
    policy = resource.target(boundary)
    if policy is None:
        return unresolved(f"PermissionsBoundary = {show(boundary)}: a policy outside this app, whose denials "
                          "cannot be read at synth time")
    if policy.type != "AWS::IAM::ManagedPolicy":
        return unresolved(f"PermissionsBoundary names {policy.type} {policy.path}, not a managed policy")
    document = as_json(policy.prop("PolicyDocument"))
    statements = document.get("Statement", []) if isinstance(document, dict) else None
    statements = [statements] if isinstance(statements, dict) else statements
    if not isinstance(statements, list):
        return unresolved(f"PermissionsBoundary {policy.path}: PolicyDocument = {show(policy.prop('PolicyDocument'))}")
    held: dict[str, list[str]] = {}
    missing = []
    for action in REQUIRED_DENIALS:
        verdict = _held_back(action, statements)
        if verdict is None:
            return unresolved(f"PermissionsBoundary {policy.path}: whether it allows {action} depends on deploy-time "
                              "values")
        if verdict:
            held.setdefault(verdict, []).append(action)
        else:
            missing.append(action)
    if missing:
        return non_compliant(f"{trusted}; PermissionsBoundary {policy.path} lets it call {', '.join(missing)} "
                             "(needs an unconditional Deny on Resource '*', or no Allow)")
    how = "; ".join(f"{', '.join(actions)} ({verdict})" for verdict, actions in held.items())
    return compliant(f"{trusted}; PermissionsBoundary = {policy.path}, which holds back {how}")


def service_principals(role: Resource) -> list[Any] | Check:
    """The AWS services a role's trust policy admits, if it admits nothing else (not people, not federated
    identities), or the verdict when the policy cannot be read that way."""
    statements = role.prop("AssumeRolePolicyDocument", "Statement", default=[])
    statements = [statements] if isinstance(statements, dict) else statements
    if not isinstance(statements, list):
        return unresolved(f"AssumeRolePolicyDocument = {show(role.prop('AssumeRolePolicyDocument'))}")
    services: list[Any] = []
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        if is_intrinsic(principal):
            return unresolved(f"trust policy Principal = {show(principal)}")
        if "NotPrincipal" in statement or not isinstance(principal, dict) or set(principal) != {"Service"}:
            return not_applicable("trusted by people or federated identities: a human role")
        value = principal["Service"]
        services += value if isinstance(value, list) else [value]
    return services or not_applicable("trusts nobody")


def _held_back(action: str, statements: list[Any]) -> str | None:
    """How the boundary keeps ``action`` from the role ("denied by <Sid>", "not allowed"), "" if it allows it,
    None if that depends on deploy-time values."""
    allowed = unknown = False
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict):
            continue
        matched = _matches(action, statement)
        if matched is None:
            unknown = True
            continue
        if not matched:
            continue
        resources = statement.get("Resource")
        if statement.get("Effect") == "Deny" and "Condition" not in statement and "NotResource" not in statement \
                and (resources == "*" or isinstance(resources, list) and "*" in resources):
            return f"denied by {statement.get('Sid', f'statement {index}')}"
        if statement.get("Effect") == "Allow":
            allowed = True
    if unknown:
        return None
    return "" if allowed else "not allowed"


def _matches(action: str, statement: dict[str, Any]) -> bool | None:
    if "NotAction" in statement:
        patterns, negated = statement["NotAction"], True
    else:
        patterns, negated = statement.get("Action", []), False
    patterns = [patterns] if isinstance(patterns, (str, dict)) else patterns
    if not isinstance(patterns, list) or contains_intrinsic(patterns):
        return None
    hit = any(isinstance(p, str) and _pattern(p).fullmatch(action) for p in patterns)
    return hit != negated


def _pattern(pattern: str) -> re.Pattern[str]:
    """IAM's action wildcards (* and ?), case-insensitive."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.I)


RULE = Rule(
    name="RolePermissionsBoundary",
    clauses=("9.2.3", "9.4.1"),
    resource_types=("AWS::IAM::Role",),
    info="An application (service) role has no permissions boundary that keeps it from changing identities.",
    explanation=(
        "Access to information and functions is restricted, and privileges cannot grow by themselves: every role "
        "assumed only by AWS services carries a PermissionsBoundary, a managed policy of the app that denies (or "
        f"does not allow) {', '.join(REQUIRED_DENIALS)}, so a compromised workload cannot create or empower a "
        "principal. Apply constructs_lib.iam.PermissionsBoundary with apply_permissions_boundary. A boundary "
        "outside the app cannot be read and is unresolved. Roles people assume are judged by MfaForHumanRoles "
        "and HumanRoleTrust instead."
    ),
    check=role_permissions_boundary,
)
