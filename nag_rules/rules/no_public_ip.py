from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import subnets_of
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved


def no_public_ip(resource: Resource) -> Check:
    data = resource.prop("LaunchTemplateData", default={}) if resource.type == "AWS::EC2::LaunchTemplate" \
        else resource.properties
    interfaces = data.get("NetworkInterfaces") if isinstance(data, dict) else None
    if isinstance(interfaces, list) and interfaces:
        values = [i.get("AssociatePublicIpAddress") if isinstance(i, dict) else None for i in interfaces]
        if any(is_intrinsic(v) for v in values):
            return unresolved(f"AssociatePublicIpAddress = {show(values)}")
        if any(v is True or v == "true" for v in values):
            return non_compliant("AssociatePublicIpAddress = true")
        if all(v is False or v == "false" for v in values):
            return compliant("AssociatePublicIpAddress = false on every network interface")
    return _by_subnets(resource)


def _by_subnets(resource: Resource) -> Check:
    """No explicit setting: the subnets decide (MapPublicIpOnLaunch)."""
    if resource.type == "AWS::EC2::Instance":
        subnets = [resource.target(resource.prop("SubnetId"))] if resource.prop("SubnetId") else []
        users = [resource.path]
    else:
        groups = [g for g in resource.stack.assembly.of_type("AWS::AutoScaling::AutoScalingGroup")
                  if g.target(g.prop("LaunchTemplate", "LaunchTemplateId")) is resource]
        subnets = [s for g in groups for s in subnets_of(g, "VPCZoneIdentifier")]
        users = [g.path for g in groups]
    if not subnets:
        return unresolved("AssociatePublicIpAddress is not set and no subnet of this app says whether "
                          "instances get a public address")
    if any(s is None for s in subnets):
        return unresolved(f"{', '.join(users)} launch into subnets outside this app")
    public = [s.path for s in subnets if s.prop("MapPublicIpOnLaunch") in (True, "true")]
    if public:
        return non_compliant(f"{', '.join(users)} launch into {', '.join(public)}, which map a public IP on launch")
    return compliant(f"{', '.join(users)} launch only into subnets with MapPublicIpOnLaunch = false")


RULE = Rule(
    name="NoPublicIp",
    clauses=("CLD.9.5.2", "13.1.3"),
    resource_types=("AWS::EC2::LaunchTemplate", "AWS::EC2::Instance"),
    info="A server can receive a public IP address.",
    explanation=(
        "Servers sit in private subnets and are reached only through the load balancer or Session "
        "Manager. Set associate_public_ip_address=False and launch only into subnets that do not "
        "map public addresses."
    ),
    check=no_public_ip,
    security_hub=("EC2.9", "EC2.25"),
)
