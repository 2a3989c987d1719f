from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved


def vpc_flow_logs(resource: Resource) -> Check:
    flow_logs = [f for f in resource.stack.assembly.of_type("AWS::EC2::FlowLog")
                 if f.prop("ResourceType") == "VPC" and f.target(f.prop("ResourceId")) is resource]
    if not flow_logs:
        return non_compliant("no AWS::EC2::FlowLog records this VPC's traffic")
    for flow_log in flow_logs:
        traffic = flow_log.prop("TrafficType")
        if is_intrinsic(traffic):
            return unresolved(f"{flow_log.path}: TrafficType = {show(traffic)}")
        if traffic == "ALL":
            return compliant(f"{flow_log.path} records ALL traffic to {_destination(flow_log)}")
    kinds = ", ".join(sorted({str(f.prop("TrafficType")) for f in flow_logs}))
    return non_compliant(f"flow logs record only {kinds} traffic, not ALL")


def _destination(flow_log: Resource) -> str:
    if flow_log.prop("LogDestinationType", default="cloud-watch-logs") == "cloud-watch-logs":
        group = flow_log.target(flow_log.prop("LogGroupName"))
        return f"log group {group.path}" if group is not None else f"log group {show(flow_log.prop('LogGroupName'))}"
    target = flow_log.target(flow_log.prop("LogDestination"))
    return target.path if target is not None else show(flow_log.prop("LogDestination"))


RULE = Rule(
    name="VpcFlowLogs",
    clauses=("13.1.3", "12.4.1"),
    resource_types=("AWS::EC2::VPC",),
    info="The VPC has no flow log recording ALL traffic.",
    explanation=(
        "Separated networks are only provable if their traffic is recorded: every VPC needs a flow "
        "log of ALL traffic (accepted and rejected) to a log group kept at least 365 days. The "
        "HardenedVpc construct adds one."
    ),
    check=vpc_flow_logs,
    security_hub=("EC2.6",),
)
