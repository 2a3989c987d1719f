from typing import Any

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import subnets_of
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved

LAUNCH_CONFIGURATION = "AWS::AutoScaling::LaunchConfiguration"
ELASTIC_IPS = ("AWS::EC2::EIP", "AWS::EC2::EIPAssociation")
OTHER_LAUNCHERS = ("AWS::EC2::EC2Fleet", "AWS::EC2::SpotFleet", "AWS::EKS::Nodegroup", "AWS::Batch::ComputeEnvironment")
"""Resources that launch instances from a launch template and whose subnets this rule does not read."""


def no_public_ip(resource: Resource) -> Check:
    where = resource.path
    if resource.type == LAUNCH_CONFIGURATION:
        value = resource.prop("AssociatePublicIpAddress")
        if is_intrinsic(value):
            return unresolved(f"{where}: AssociatePublicIpAddress = {show(value)}")
        if value is True or value == "true":
            return non_compliant(f"{where}: AssociatePublicIpAddress = true")
        if value is False or value == "false":
            return compliant(f"{where}: AssociatePublicIpAddress = false")
        if resource.prop("InstanceId") is not None:
            return unresolved(f"{where}: no AssociatePublicIpAddress, so it is derived from InstanceId = "
                              f"{show(resource.prop('InstanceId'))}; set it to false")
        return _by_subnets(resource)
    if resource.type == "AWS::EC2::Instance":
        eips = [r.path for r in _elastic_ips(resource)]
        if eips:
            return non_compliant(f"{where} gets an Elastic IP from {', '.join(eips)}")
        interfaces, owner = resource.prop("NetworkInterfaces"), resource
        if interfaces is None and resource.prop("LaunchTemplate") is not None:
            template = _template(resource)
            if template is None:
                return unresolved(f"{where}: no NetworkInterfaces and LaunchTemplate = "
                                  f"{show(resource.prop('LaunchTemplate'))}, a launch template outside this app")
            interfaces, owner = template.prop("LaunchTemplateData", "NetworkInterfaces"), template
        return _interfaces(owner, interfaces) or _by_subnets(resource)
    data = resource.prop("LaunchTemplateData")
    if not isinstance(data, dict) or is_intrinsic(data):
        return unresolved(f"{where}: LaunchTemplateData = {show(data)}")
    return _interfaces(resource, data.get("NetworkInterfaces")) or _by_subnets(resource)


def _interfaces(owner: Resource, interfaces: Any) -> Check | None:
    """The verdict of explicit AssociatePublicIpAddress settings; None when the subnets decide."""
    if interfaces is None or interfaces == []:
        return None
    if is_intrinsic(interfaces) or not isinstance(interfaces, list) or any(
            not isinstance(i, dict) or is_intrinsic(i) for i in interfaces):
        return unresolved(f"{owner.path}: NetworkInterfaces = {show(interfaces)}")
    values = [i.get("AssociatePublicIpAddress") for i in interfaces]
    if any(is_intrinsic(v) for v in values):
        return unresolved(f"{owner.path}: AssociatePublicIpAddress = {show(values)}")
    if any(v is True or v == "true" for v in values):
        return non_compliant(f"{owner.path}: AssociatePublicIpAddress = true")
    if all(v is False or v == "false" for v in values):
        return compliant(f"{owner.path}: AssociatePublicIpAddress = false on every network interface")
    return None


def _by_subnets(resource: Resource) -> Check:
    """No explicit setting: the subnets the resource launches into decide (MapPublicIpOnLaunch)."""
    launches = _launches(resource)
    if isinstance(launches, Check):
        return launches
    if not launches:
        return unresolved(f"{resource.path}: AssociatePublicIpAddress is not set and nothing in this app "
                          "launches it, so no subnet says whether instances get a public address")
    users = ", ".join(user for user, _ in launches)
    for user, subnets in launches:
        if not subnets:
            return non_compliant(f"{user} names no subnet, so it launches into a default subnet, which maps a "
                                 "public IP on launch unless changed outside this app")
    subnets = [s for _, found in launches for s in found]
    if any(s is None for s in subnets):
        return unresolved(f"{users} launch into subnets outside this app")
    unknown = [f"{s.path} ({show(s.prop('MapPublicIpOnLaunch'))})" for s in subnets
               if is_intrinsic(s.prop("MapPublicIpOnLaunch"))]
    if unknown:
        return unresolved(f"{users} launch into {', '.join(unknown)}: MapPublicIpOnLaunch known only at deploy time")
    public = [s.path for s in subnets if str(s.prop("MapPublicIpOnLaunch")).lower() == "true"]
    if public:
        return non_compliant(f"{users} launch into {', '.join(public)}, which map a public IP on launch")
    names = ", ".join(dict.fromkeys(s.path for s in subnets))
    return compliant(f"{resource.path}: no AssociatePublicIpAddress; {users} launch only into {names}, "
                     "none of which maps a public IP on launch (MapPublicIpOnLaunch = false or absent)")


def _launches(resource: Resource) -> list[tuple[str, list[Resource | None]]] | Check:
    """Who launches servers from ``resource`` and into which subnets (None where outside the app)."""
    if resource.type == "AWS::EC2::Instance":
        return [(resource.path, _instance_subnets(resource))]
    found: dict[str, list[Resource | None]] = {}
    for user, where in resource.stack.assembly.referrers(resource):
        if user.type == "AWS::AutoScaling::AutoScalingGroup" and where[0] in (
                "LaunchTemplate", "MixedInstancesPolicy", "LaunchConfigurationName"):
            found[user.path] = subnets_of(user, "VPCZoneIdentifier") if user.prop("VPCZoneIdentifier") else []
        elif user.type == "AWS::EC2::Instance" and where[0] == "LaunchTemplate":
            found[user.path] = _instance_subnets(user)
        elif user.type in OTHER_LAUNCHERS:
            return unresolved(f"{user.type} {user.path} launches from {resource.path}; this rule does not "
                              "read its subnets")
    return list(found.items())


def _instance_subnets(instance: Resource) -> list[Resource | None]:
    if instance.prop("SubnetId") is not None:
        return [instance.target(instance.prop("SubnetId"))]
    interfaces = instance.prop("NetworkInterfaces")
    if interfaces is None and (template := _template(instance)) is not None:
        interfaces = template.prop("LaunchTemplateData", "NetworkInterfaces")
    if interfaces is None:
        return []
    if not isinstance(interfaces, list):
        return [None]
    return [instance.target(i.get("SubnetId")) if isinstance(i, dict) else None
            for i in interfaces if not isinstance(i, dict) or "SubnetId" in i]


def _template(instance: Resource) -> Resource | None:
    """The instance's launch template if it is in this app."""
    spec = instance.prop("LaunchTemplate")
    reference = spec.get("LaunchTemplateId", spec.get("LaunchTemplateName")) if isinstance(spec, dict) else spec
    template = instance.target(reference)
    return template if template is not None and template.type == "AWS::EC2::LaunchTemplate" else None


def _elastic_ips(instance: Resource) -> list[Resource]:
    """Elastic IPs attached to the instance or to a network interface it names."""
    owners = [instance]
    interfaces = instance.prop("NetworkInterfaces")
    if isinstance(interfaces, list):
        owners += [eni for i in interfaces
                   if isinstance(i, dict) and (eni := instance.target(i.get("NetworkInterfaceId"))) is not None]
    assembly = instance.stack.assembly
    return [user for owner in owners for user, _ in assembly.referrers(owner) if user.type in ELASTIC_IPS]


RULE = Rule(
    name="NoPublicIp",
    clauses=("CLD.9.5.2", "13.1.3"),
    resource_types=("AWS::EC2::LaunchTemplate", "AWS::EC2::Instance", LAUNCH_CONFIGURATION),
    info="A server can receive a public IP address.",
    explanation=(
        "Servers sit in private subnets and are reached only through the load balancer or Session "
        "Manager. Set associate_public_ip_address=False, attach no Elastic IP, and launch only into "
        "subnets that do not map public addresses."
    ),
    check=no_public_ip,
    security_hub=("EC2.9", "EC2.25"),
)
