import re
from typing import Any

from nag_rules.assembly import Resource, contains_intrinsic, show
from nag_rules.cfn import HOLE, as_json, text_with_holes
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved

ADMINISTRATOR_ACCESS = "AdministratorAccess"
_ADMIN_ARN = re.compile(rf"^arn:(?:aws|aws-cn|aws-us-gov|{HOLE}):iam::aws:policy/{ADMINISTRATOR_ACCESS}$")
_AWS_MANAGED = re.compile(rf"^arn:(?:aws|aws-cn|aws-us-gov|{HOLE}):iam::aws:policy/")
_PSEUDO = re.compile(r"\$\{(AWS::[A-Za-z]+)\}")
POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy",
                "AWS::IAM::GroupPolicy")


def no_wildcard_admin_policy(resource: Resource) -> Check:
    documents: list[tuple[str, Any]] = []
    if resource.type in POLICY_TYPES:
        documents.append(("PolicyDocument", resource.prop("PolicyDocument")))
    else:
        policies = resource.prop("Policies", default=[])
        if not isinstance(policies, list):
            return unresolved(f"Policies = {show(policies)}")
        for index, policy in enumerate(policies):
            name = policy.get("PolicyName") if isinstance(policy, dict) else None
            documents.append((f"Policies[{index}] ({show(name)})",
                              policy.get("PolicyDocument") if isinstance(policy, dict) else policy))
    admin: list[str] = []
    for where, document in documents:
        found = admin_statements(document)
        if isinstance(found, Check):
            return unresolved(f"{where}: {found.evidence}")
        admin += [f"{where} {statement}" for statement in found]
    if resource.type == "AWS::IAM::ManagedPolicy" and admin:
        return _boundary_only(resource, admin)
    if admin:
        return non_compliant("; ".join(admin))
    evidence = [f"no Allow statement grants * on * in {', '.join(where for where, _ in documents)}" if documents
                else "no inline policy"]
    if resource.type not in POLICY_TYPES:
        arns = resource.prop("ManagedPolicyArns", default=[])
        verdict = _aws_admin_policy(resource, arns)
        if verdict is not None:
            return verdict
        evidence.append(f"ManagedPolicyArns (AWS managed or judged on their own) has no {ADMINISTRATOR_ACCESS}"
                        if arns else "no ManagedPolicyArns")
    return compliant("; ".join(evidence))


def admin_statements(document: Any) -> list[str] | Check:
    """What each Allow statement of a policy document that grants every action (or all but a NotAction's) on
    every resource (or all but a NotResource's) allows, named by Sid or index."""
    document = as_json(document)
    if not isinstance(document, dict):
        return unresolved(f"policy document {show(document)}")
    statements = document.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    if not isinstance(statements, list):
        return unresolved(f"Statement = {show(statements)}")
    found = []
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        action_key = "NotAction" if "NotAction" in statement else "Action"
        resource_key = "NotResource" if "NotResource" in statement else "Resource"
        actions, resources = statement.get(action_key), statement.get(resource_key)
        every_action = _covers_all(actions, negated=action_key == "NotAction")
        every_resource = _covers_all(resources, negated=resource_key == "NotResource")
        sid = statement.get("Sid", index)
        if every_action and every_resource:
            found.append(f"statement {sid} allows every action{_but(action_key, actions)} on every "
                         f"resource{_but(resource_key, resources)}")
        elif every_action is not False and every_resource is not False:
            return unresolved(f"statement {sid}: {action_key} = {show(actions)}, {resource_key} = {show(resources)}; "
                              "whether it allows every action on every resource depends on deploy-time values")
    return found


def _but(key: str, value: Any) -> str:
    return f" but {key} {show(value)}" if key.startswith("Not") else ""


def _covers_all(value: Any, negated: bool) -> bool | None:
    """Whether Action/Resource ``value`` covers everything: a ``*`` among its entries does, anything else
    does not; NotAction/NotResource (``negated``) covers everything but what it names, so everything unless it
    names ``*``. None when a deploy-time entry decides it."""
    entries = value if isinstance(value, list) else [value]
    if "*" in entries:
        return not negated
    if value is None:
        return False
    if contains_intrinsic(entries):
        return None
    return negated


def _boundary_only(policy: Resource, admin: list[str]) -> Check:
    """An admin-shaped managed policy grants nothing when it is only ever a permissions boundary."""
    attached = [f"{key} = {show(policy.prop(key))}" for key in ("Roles", "Users", "Groups") if policy.prop(key)]
    bounded, granted = [], []
    for referrer, where in policy.stack.assembly.referrers(policy):
        if where and where[0] == "PermissionsBoundary":
            bounded.append(referrer.path)
        elif where and where[0] == "ManagedPolicyArns":
            granted.append(referrer.path)
    if attached or granted:
        return non_compliant(f"{'; '.join(admin)}, and the policy is attached "
                             f"({'; '.join(attached + [f'ManagedPolicyArns of {path}' for path in granted])})")
    if bounded:
        return compliant(f"{'; '.join(admin)}, but the policy is attached to nothing and only the "
                         f"PermissionsBoundary of {', '.join(sorted(bounded))}: a boundary caps, it grants nothing")
    return non_compliant(f"{'; '.join(admin)} (attached to nothing in the app, "
                         "and no role uses it as a permissions boundary)")


def _aws_admin_policy(resource: Resource, arns: Any) -> Check | None:
    if not isinstance(arns, list):
        return unresolved(f"ManagedPolicyArns = {show(arns)}")
    for index, arn in enumerate(arns):
        target = resource.target(arn)
        if target is not None and target.type == "AWS::IAM::ManagedPolicy":
            continue  # judged on its own
        value = arn_text(arn, resource)
        if value is not None and _ADMIN_ARN.match(value):
            return non_compliant(f"ManagedPolicyArns[{index}] = {value.replace(HOLE, '<partition>')}: every action "
                                 "on every resource")
        if value is None or HOLE in value.split(":policy/", 1)[-1]:
            return unresolved(f"ManagedPolicyArns[{index}] = {show(arn)}")
        if not _AWS_MANAGED.match(value):
            return unresolved(f"ManagedPolicyArns[{index}] = {value.replace(HOLE, '<deploy-time>')}: a customer managed "
                              "policy outside this app, whose statements cannot be read at synth time")
    return None


def arn_text(value: Any, resource: Resource) -> str | None:
    """Like cfn.text_with_holes, with the pseudo parameters of a plain ``Fn::Sub`` string resolved too."""
    if isinstance(value, dict) and list(value) == ["Fn::Sub"] and isinstance(value["Fn::Sub"], str):
        return _PSEUDO.sub(lambda m: text_with_holes({"Ref": m.group(1)}, resource) or HOLE,
                           re.sub(r"\$\{(?!AWS::)[^}]*\}", HOLE, value["Fn::Sub"]))
    return text_with_holes(value, resource)


RULE = Rule(
    name="NoWildcardAdminPolicy",
    clauses=("9.2.3",),
    resource_types=(*POLICY_TYPES, "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"),
    info="A policy allows every action (or all but a few) on every resource, or a principal has "
         "AdministratorAccess.",
    explanation=(
        "Privileged access is allocated on a need-to-use basis: no Allow statement of a policy, managed policy or "
        "inline policy of a role, user or group grants Action '*' (or every action but a NotAction's) on Resource "
        "'*' (or every resource but a NotResource's), and no role, user or group is given the AWS managed "
        "AdministratorAccess policy; a customer managed policy outside the app cannot be read and is unresolved. "
        "A managed policy used only as a permissions boundary (PermissionsBoundary) grants nothing and passes. "
        "The rare justified case, the break-glass role (BreakGlassRole), is acknowledged with its reason."
    ),
    check=no_wildcard_admin_policy,
    security_hub=("IAM.1",),
)
