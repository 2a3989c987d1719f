from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved

REQUIRED_METRICS = {
    "AWS::AutoScaling::AutoScalingGroup": ("AutoScalingGroupName", (
        ("AWS/EC2", "CPUUtilization", "CPU"),
        ("CWAgent", "mem_used_percent", "memory"),
        ("CWAgent", "disk_used_percent", "disk"),
    )),
    "AWS::RDS::DBCluster": ("DBClusterIdentifier", (
        ("AWS/RDS", "CPUUtilization", "CPU"),
        ("AWS/RDS", "DatabaseConnections", "connections"),
    )),
}
"""Per type: the alarm dimension that names it, and the (namespace, metric, what) every one needs watched."""


def capacity_monitored(resource: Resource) -> Check:
    dimension, required = REQUIRED_METRICS[resource.type]
    alarms = _alarms_on(resource, dimension)
    missing = []
    evidence = []
    for namespace, metric, what in required:
        watching = [a for a in alarms if (a.prop("Namespace"), a.prop("MetricName")) == (namespace, metric)]
        acting = [a for a in watching if a.prop("ActionsEnabled") is not False and a.prop("AlarmActions")]
        if not acting:
            missing.append(f"{what} ({namespace} {metric}{': alarm without action' if watching else ''})")
        else:
            evidence.append(f"{what}: {acting[0].path}")
    if missing:
        return non_compliant("no alarm with an action watches " + ", ".join(missing))
    scaling = _scaling(resource)
    if isinstance(scaling, Check):
        return scaling
    return compliant("; ".join(evidence) + (f"; {scaling}" if scaling else ""))


def _alarms_on(resource: Resource, dimension: str) -> list[Resource]:
    found = []
    for alarm in resource.stack.assembly.of_type("AWS::CloudWatch::Alarm"):
        for entry in alarm.prop("Dimensions", default=[]) or []:
            if isinstance(entry, dict) and entry.get("Name") == dimension and alarm.target(entry.get("Value")) is resource:
                found.append(alarm)
    return found


def _scaling(resource: Resource) -> str | Check | None:
    if resource.type != "AWS::AutoScaling::AutoScalingGroup":
        return None
    low, high = resource.prop("MinSize"), resource.prop("MaxSize")
    if is_intrinsic(low) or is_intrinsic(high):
        return unresolved(f"MinSize = {show(low)}, MaxSize = {show(high)}")
    if str(low) == str(high):
        return f"a fixed size of {low}: nothing to scale"
    policies = [p for p in resource.stack.assembly.of_type("AWS::AutoScaling::ScalingPolicy")
                if p.target(p.prop("AutoScalingGroupName")) is resource]
    if not policies:
        return non_compliant(f"MinSize {low} < MaxSize {high}, but no scaling policy moves between them")
    kinds = ", ".join(f"{p.path} ({p.prop('PolicyType', default='SimpleScaling')})" for p in policies)
    return f"scales between {low} and {high} by {kinds}"


RULE = Rule(
    name="CapacityMonitored",
    clauses=("12.1.3", "CLD.12.4.5"),
    resource_types=tuple(REQUIRED_METRICS),
    info="Server or database capacity is not watched by alarms with actions, or the servers do not scale.",
    explanation=(
        "Capacity is managed: every Auto Scaling group has alarms with actions on CPU, memory and disk (the "
        "memory and disk metrics come from the CloudWatch agent, ServerMetricsAgent) and a scaling policy between "
        "its minimum and maximum size; every database cluster has alarms on CPU and connections "
        "(ServiceMonitoring)."
    ),
    check=capacity_monitored,
    security_hub=("CloudWatch.15",),
)
