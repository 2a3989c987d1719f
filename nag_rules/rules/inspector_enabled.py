import json
from typing import Any

from nag_rules.assembly import Resource, show
from nag_rules.cfn import text
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved

AWS_CUSTOM_RESOURCE_PROVIDER = "AWS679f53fac002430cb0da5b7982bd2287"
"""Construct id of the function behind CDK's AwsCustomResource (``"AWS" + PROVIDER_FUNCTION_UUID``), which
makes the SDK call its Create, Update and Delete properties hold as JSON text."""


def inspector_enabled(resource: Resource) -> Check:
    stack = resource.stack
    enabling, unknown, disabling = [], [], []
    for call in stack.assembly.of_type(*_custom_types(stack.assembly)):
        if (call.stack.account, call.stack.region) != (stack.account, stack.region) or not _sdk_call(call):
            continue
        create = _inspector_call(call, "Create", stack.account)
        if create is None:
            continue
        if isinstance(create, str):
            unknown.append(create)
            continue
        action, types = create
        if action != "enable" or "EC2" not in types:
            continue
        undone = []
        for key in ("Update", "Delete"):
            later = _inspector_call(call, key, stack.account)
            if isinstance(later, tuple) and later[0] == "disable" and "EC2" in later[1]:
                undone.append(f"{key} disables {', '.join(later[1])}")
        if undone:
            disabling.append(f"{call.path} ({'; '.join(undone)})")
        elif call.condition is not None:
            unknown.append(f"{call.path} exists only if Condition {call.condition} holds")
        else:
            enabling.append(f"{call.path} (Inspector2 enable, resourceTypes {', '.join(types)})")
    if enabling:
        return compliant(f"Amazon Inspector scans EC2 in {stack.environment}: enabled by {'; '.join(enabling)}")
    if disabling:
        return non_compliant("Amazon Inspector EC2 scanning is turned off again by " + "; ".join(disabling))
    if unknown:
        return unresolved("; ".join(unknown))
    return non_compliant(f"nothing enables Amazon Inspector EC2 scanning in {stack.environment}: no "
                         "AwsCustomResource calls Inspector2 enable with resourceTypes EC2 (CloudFormation has no "
                         "resource that enables it)")


def _custom_types(assembly: Any) -> tuple[str, ...]:
    return assembly.memo("custom resource types", lambda: tuple(sorted(
        {r.type for r in assembly.resources() if r.type.startswith("Custom::")
         or r.type == "AWS::CloudFormation::CustomResource"})))


def _sdk_call(resource: Resource) -> bool:
    provider = resource.target(resource.prop("ServiceToken"))
    return provider is not None and f"/{AWS_CUSTOM_RESOURCE_PROVIDER}/" in f"/{provider.path}/"


def _inspector_call(call: Resource, key: str, account: str | None) -> tuple[str, list[str]] | str | None:
    """``(action, resource types)`` of an Inspector2 call made for ``account``; a description when it cannot be
    read at synth time; None when ``key`` is no Inspector2 call for the account."""
    value = call.prop(key)
    if value is None:
        return None
    found = text(value, call)
    try:
        sdk = json.loads(found) if found is not None else None
    except json.JSONDecodeError:
        sdk = None
    if not isinstance(sdk, dict):
        return f"{call.path}: {key} = {show(value)[:200]} cannot be read at synth time"
    service = str(sdk.get("service", "")).lower().removeprefix("@aws-sdk/client-").replace("-", "")
    if service != "inspector2":
        return None
    parameters = sdk.get("parameters") or {}
    accounts = parameters.get("accountIds")
    if accounts is not None and account not in accounts:
        return None
    action = str(sdk.get("action", "")).lower().removesuffix("command")
    types = parameters.get("resourceTypes") or (["EC2", "ECR", "LAMBDA"] if action == "disable" else [])
    return action, [str(t) for t in types]


RULE = Rule(
    name="InspectorEnabled",
    clauses=("12.6.1",),
    resource_types=("AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::Instance"),
    info="Nothing in this app enables Amazon Inspector EC2 scanning in the server's account and region.",
    explanation=(
        "Vulnerabilities of servers are found continuously by Amazon Inspector. CloudFormation has no resource "
        "that turns Inspector on (AWS::InspectorV2 offers filters, CIS scan configurations, code security and "
        "multi-cloud connectors only), so a CDK AwsCustomResource in the server's account and region calls "
        "Inspector2 enable with resourceTypes including EC2 (and accountIds, if given, including the account), "
        "and neither its Update nor its Delete calls disable for EC2. Use the SecurityPosture construct."
    ),
    check=inspector_enabled,
    security_hub=("Inspector.1",),
)
