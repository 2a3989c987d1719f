from typing import Any

from nag_rules.alarms import Found, Matcher, Metric, Watch, alarms_on, names, reference, summary
from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import text
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved

STATUS_CHECKS = tuple(Metric("AWS/EC2", name, high=1) for name in (
    "StatusCheckFailed", "StatusCheckFailed_System", "StatusCheckFailed_Instance"))
TARGET_NAMESPACES = {"application": "AWS/ApplicationELB", "network": "AWS/NetworkELB", "gateway": "AWS/GatewayELB"}
UNHEALTHY = "UnHealthyHostCount"
DIMENSIONS = {"AWS::AutoScaling::AutoScalingGroup": "AutoScalingGroupName", "AWS::EC2::Instance": "InstanceId"}
LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
CLASSIC = "AWS::ElasticLoadBalancing::LoadBalancer"


def server_state_monitored(resource: Resource) -> Check:
    found = [("status checks", _status_checks(resource))]
    targets, unknown = _health_checks(resource)
    evidence, missing, unsure = summary([*found, *targets])
    unsure += unknown
    if missing:
        rest = f"; unresolved: {'; '.join(unsure)}" if unsure else ""
        return non_compliant("no alarm with an action that can fire watches " + "; ".join(missing) + rest)
    if unsure:
        return unresolved("; ".join(unsure))
    return compliant("; ".join(evidence))


def _status_checks(resource: Resource) -> Found:
    dimension = DIMENSIONS[resource.type]
    literal = resource.prop("AutoScalingGroupName") if dimension == "AutoScalingGroupName" else None
    both, system, instance = (
        alarms_on(Watch(m, {dimension: names(resource, literal=literal)}, resource.stack.region,
                        resource.stack.account), resource.stack.assembly) for m in STATUS_CHECKS)
    combined = Found(both.watch, label=f"AWS/EC2 StatusCheckFailed, or StatusCheckFailed_System and "
                                       f"StatusCheckFailed_Instance, by {dimension}")
    if both.acting:
        combined.acting = both.acting
    elif system.acting and instance.acting:
        combined.acting = system.acting + instance.acting
    for alarms in (both, system, instance):
        combined.refused += alarms.refused
        combined.unknown += alarms.unknown
    return combined


def _health_checks(resource: Resource) -> tuple[list[tuple[str, Found]], list[str]]:
    """The UnHealthyHostCount alarms each load balancer that sends the servers traffic needs."""
    assembly = resource.stack.assembly
    unknown: list[str] = []
    if resource.type == "AWS::AutoScaling::AutoScalingGroup":
        groups = _named_list(resource, "TargetGroupARNs", "AWS::ElasticLoadBalancingV2::TargetGroup", unknown)
        classics = _named_list(resource, "LoadBalancerNames", CLASSIC, unknown)
    else:
        groups = [g for g in assembly.of_type("AWS::ElasticLoadBalancingV2::TargetGroup")
                  if any(isinstance(t, dict) and g.target(t.get("Id")) is resource
                         for t in g.prop("Targets", default=[]) or [])]
        classics = [b for b in assembly.of_type(CLASSIC)
                    if any(b.target(i) is resource for i in b.prop("Instances", default=[]) or [])]
    found = []
    for group in groups:
        for balancer in _load_balancers(group, unknown):
            kind = balancer.prop("Type", default="application")
            if is_intrinsic(kind) or kind not in TARGET_NAMESPACES:
                unknown.append(f"{balancer.path}: Type = {show(kind)}")
                continue
            watch = Watch(Metric(TARGET_NAMESPACES[kind], UNHEALTHY),
                          {"TargetGroup": names(group, "TargetGroupFullName"),
                           "LoadBalancer": _load_balancer_full_name(balancer)},
                          group.stack.region, group.stack.account)
            found.append((f"unhealthy targets of {group.path} on {balancer.path}", alarms_on(watch, assembly)))
    for balancer in classics:
        watch = Watch(Metric("AWS/ELB", UNHEALTHY),
                      {"LoadBalancerName": names(balancer, literal=balancer.prop("LoadBalancerName"))},
                      balancer.stack.region, balancer.stack.account)
        found.append((f"unhealthy instances of {balancer.path}", alarms_on(watch, assembly)))
    return found, unknown


def _named_list(resource: Resource, key: str, kind: str, unknown: list[str]) -> list[Resource]:
    value = resource.prop(key, default=[])
    if not isinstance(value, list):
        unknown.append(f"{key} = {show(value)}")
        return []
    found = []
    for entry in value:
        target = resource.target(entry)
        if target is not None and target.type == kind:
            found.append(target)
        else:
            unknown.append(f"{key} entry {show(entry)} is not a {kind} of this app: whether its health is alarmed "
                           "cannot be seen")
    return found


def _load_balancers(group: Resource, unknown: list[str]) -> list[Resource]:
    """The load balancers whose listeners (or listener rules) forward to ``group``."""
    found: dict[str, Resource] = {}
    for referrer, _ in group.stack.assembly.referrers(group):
        listener = referrer.target(referrer.prop("ListenerArn")) \
            if referrer.type == "AWS::ElasticLoadBalancingV2::ListenerRule" else referrer
        if listener is None or listener.type != LISTENER:
            if referrer.type.startswith("AWS::ElasticLoadBalancingV2::Listener"):
                unknown.append(f"{referrer.path} forwards to {group.path} from a listener outside this app")
            continue
        balancer = listener.target(listener.prop("LoadBalancerArn"))
        if balancer is None or balancer.type != LOAD_BALANCER:
            unknown.append(f"{listener.path} forwards to {group.path} for a load balancer outside this app")
            continue
        found.setdefault(balancer.path, balancer)
    return list(found.values())


def _load_balancer_full_name(balancer: Resource) -> Matcher:
    """The LoadBalancer dimension: the balancer's LoadBalancerFullName, or the ``app/<name>/<id>`` CDK cuts out
    of its ARN or one of its listeners' ARNs."""

    def matcher(alarm: Resource, value: Any) -> bool | None:
        found = reference(alarm, value)
        if found is not None:
            return found[0] is balancer and found[1] == "LoadBalancerFullName"
        arn = _full_name_cut_from(value)
        named = alarm.target(arn) if arn is not None else None
        if named is not None and named.type == LISTENER:
            named = named.target(named.prop("LoadBalancerArn"))
        if named is not None:
            return named is balancer
        return None if text(value, alarm) is None else False

    return matcher


def _full_name_cut_from(value: Any) -> Any:
    """X in ``Join(Select(1, Split("/", X)), "/", Select(2, ...), "/", Select(3, ...))``, else None."""
    if not isinstance(value, dict) or list(value) != ["Fn::Join"] or not isinstance(value["Fn::Join"], list):
        return None
    separator, parts = (value["Fn::Join"] + [None, None])[:2]
    if separator == "" and isinstance(parts, list) and len(parts) == 5 and parts[1] == parts[3] == "/":
        parts = parts[0::2]
    elif separator != "/":
        return None
    if not isinstance(parts, list) or len(parts) != 3:
        return None
    sources = []
    for index, part in enumerate(parts, 1):
        select = part.get("Fn::Select") if isinstance(part, dict) and len(part) == 1 else None
        if not isinstance(select, list) or len(select) != 2 or str(select[0]) != str(index):
            return None
        split = select[1].get("Fn::Split") if isinstance(select[1], dict) else None
        if not isinstance(split, list) or len(split) != 2 or split[0] != "/":
            return None
        sources.append(split[1])
    return sources[0] if all(s == sources[0] for s in sources) else None


RULE = Rule(
    name="ServerStateMonitored",
    clauses=("CLD.12.4.5",),
    resource_types=tuple(DIMENSIONS),
    info="The servers' state is not watched: no alarm with an action on their EC2 status checks, or on the "
         "unhealthy targets a load balancer sees among them.",
    explanation=(
        "Server state is monitored: every Auto Scaling group (AutoScalingGroupName) and EC2 instance (InstanceId) "
        "has an alarm with an action on AWS/EC2 StatusCheckFailed (or on both StatusCheckFailed_System and "
        "StatusCheckFailed_Instance) that can fire, and for every target group it belongs to (TargetGroupARNs, or "
        "a target group's Targets) and every load balancer forwarding to that group, an alarm with an action on "
        "UnHealthyHostCount by TargetGroup (its TargetGroupFullName) and LoadBalancer (its LoadBalancerFullName), "
        "as ServiceMonitoring sets up; Classic Load Balancers by LoadBalancerName. Alarms count only if they name "
        "the resources by reference (or literal name), live in their region and account, keep ActionsEnabled "
        "with an AlarmActions entry, and compare GreaterThan(OrEqualTo)Threshold with a threshold they can reach."
    ),
    check=server_state_monitored,
)
