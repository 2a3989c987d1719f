from typing import Any

from nag_rules.alarms import EDGE_REGION, Metric, Watch, alarms_on, literally, reference
from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import text
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved

BLOCKED = Metric("AWS/WAFV2", "BlockedRequests")


def attack_monitoring(resource: Resource) -> Check:
    scope, name = resource.prop("Scope"), resource.prop("Name")
    if is_intrinsic(scope) or scope not in ("REGIONAL", "CLOUDFRONT"):
        return unresolved(f"Scope = {show(scope)}")
    if is_intrinsic(name):
        return unresolved(f"Name = {show(name)}: the WebACL dimension of its metrics is known only at deploy time")
    metrics = resource.prop("VisibilityConfig", "CloudWatchMetricsEnabled")
    if is_intrinsic(metrics):
        return unresolved(f"VisibilityConfig.CloudWatchMetricsEnabled = {show(metrics)}")
    if metrics not in (True, "true"):
        return non_compliant("VisibilityConfig.CloudWatchMetricsEnabled is not true: AWS WAF publishes no metrics "
                             "of it to alarm on")
    region = resource.stack.region
    if scope == "CLOUDFRONT" and region not in (EDGE_REGION, None):
        return non_compliant(f"Scope = CLOUDFRONT in {region}: CloudFront web ACLs exist only in {EDGE_REGION}")
    dimensions = {"WebACL": _acl_name(resource), "Rule": literally("ALL")}
    if scope == "REGIONAL":
        dimensions["Region"] = literally(region) if region else (lambda alarm, value: None)
    found = alarms_on(Watch(BLOCKED, dimensions, region or (EDGE_REGION if scope == "CLOUDFRONT" else None),
                            resource.stack.account), resource.stack.assembly)
    watched = f"{BLOCKED} by WebACL = {name or '<its generated name>'}, Rule = ALL" + (
        f", Region = {region or '<its region>'}" if scope == "REGIONAL" else f" (no Region) in {EDGE_REGION}")
    if found.acting:
        return compliant(f"{', '.join(found.acting)} watches {watched}")
    if found.unknown:
        return unresolved(f"{watched}: {'; '.join(found.unknown)}")
    refused = f" ({'; '.join(found.refused)})" if found.refused else ""
    return non_compliant(f"no alarm with an action that can fire watches {watched}{refused}")


def _acl_name(acl: Resource) -> Any:
    """The WebACL dimension: the ACL's literal Name, or the name cut out of its Ref (``name|id|scope``)."""
    name = acl.prop("Name")

    def matcher(alarm: Resource, value: Any) -> bool | None:
        select = value.get("Fn::Select") if isinstance(value, dict) and len(value) == 1 else None
        if isinstance(select, list) and len(select) == 2 and str(select[0]) == "0" and isinstance(select[1], dict):
            split = select[1].get("Fn::Split")
            if isinstance(split, list) and len(split) == 2 and split[0] == "|":
                found = reference(alarm, split[1])
                if found is not None:
                    return found == (acl, "Ref")
        written = text(value, alarm)
        if written is None:
            return None
        return isinstance(name, str) and written == name

    return matcher


RULE = Rule(
    name="AttackMonitoring",
    clauses=("CLD.12.4.5",),
    resource_types=("AWS::WAFv2::WebACL",),
    info="Requests the web ACL blocks are not watched by an alarm with an action.",
    explanation=(
        "External attacks are monitored: every web ACL publishes CloudWatch metrics and has an alarm with an "
        "action on AWS/WAFV2 BlockedRequests by WebACL = its Name and Rule = ALL (all its rules), with Region = "
        "its region for a REGIONAL web ACL (ServiceMonitoring's BlockedRequests alarm). The alarm must live where "
        "AWS WAF publishes the metric: the web ACL's region and account, which for a CLOUDFRONT web ACL is "
        "us-east-1 (its metrics carry no Region dimension), so the edge needs its own alarm and an SNS topic "
        "there; an alarm on a web ACL behind it does not see what the edge blocks."
    ),
    check=attack_monitoring,
)
