"""The network model of the report (13.1.3): VPCs, subnet tiers, entry points, endpoints and the
security-group flows between tiers, read from the synthesized templates."""

from __future__ import annotations

from typing import Any

from nag_rules.assembly import CloudAssembly, Resource
from nag_rules.cfn import ingress_rules, internet_routes, subnets_of, text
from nag_rules.rules.network_link_approved import LINK_TYPES

INTERNET = "Internet"
TIER_ORDER = ("Public", "Application", "Data", "Operations")


def network_model(assembly: CloudAssembly) -> dict[str, Any]:
    subnets = {s: _subnet(s) for s in assembly.of_type("AWS::EC2::Subnet")}
    members = _members(assembly)
    group_tiers: dict[str, set[str]] = {}
    for member in members:
        for group in member["groups"]:
            group_tiers.setdefault(group, set()).update(member["tiers"])
    vpcs = []
    for vpc in assembly.of_type("AWS::EC2::VPC"):
        own = [info for subnet, info in subnets.items() if subnet.target(subnet.prop("VpcId")) is vpc]
        tiers: dict[str, list[dict[str, Any]]] = {}
        for info in own:
            tiers.setdefault(info["tier"], []).append(info)
        vpcs.append({
            "path": vpc.path,
            "name": vpc.path.split("/")[-2] if vpc.path.endswith("/Resource") else vpc.path.split("/")[-1],
            "stack": vpc.stack.display_name,
            "cidr": vpc.prop("CidrBlock"),
            "tiers": [
                {"name": name, "subnets": sorted(tiers[name], key=lambda s: s["zone"] or ""),
                 "members": [m for m in members if m["vpc"] == vpc.path and name in m["tiers"]]}
                for name in sorted(tiers, key=_tier_rank)
            ],
            "endpoints": sorted({
                (text(e.prop("ServiceName"), e) or "?").rsplit(".", 1)[-1]
                for e in assembly.of_type("AWS::EC2::VPCEndpoint") if e.target(e.prop("VpcId")) is vpc
            }),
            "internet_gateway": any(a.target(a.prop("VpcId")) is vpc and "InternetGatewayId" in a.properties
                                    for a in assembly.of_type("AWS::EC2::VPCGatewayAttachment")),
        })
    flows = []
    for group in assembly.of_type("AWS::EC2::SecurityGroup"):
        target_tiers = sorted(group_tiers.get(group.path, set()), key=_tier_rank)
        for rule in ingress_rules(group):
            if rule.source.startswith("sg:"):
                source_tiers = sorted(group_tiers.get(rule.source[3:], set()), key=_tier_rank) or [rule.source[3:]]
            elif rule.from_internet:
                source_tiers = [INTERNET]
            else:
                source_tiers = [rule.source]
            for source in source_tiers:
                flows.append({
                    "from": source,
                    "to": target_tiers or [group.path],
                    "group": group.path,
                    "vpc": _vpc_of(group),
                    "ports": rule.describe().split(" from ")[0],
                })
    edges = []
    for distribution in assembly.of_type("AWS::CloudFront::Distribution"):
        config = distribution.prop("DistributionConfig", default={}) or {}
        waf = distribution.target(config.get("WebACLId"))
        edges.append({
            "path": distribution.path,
            "stack": distribution.stack.display_name,
            "region": distribution.stack.region,
            "aliases": [a for a in config.get("Aliases", []) if isinstance(a, str)],
            "origins": [o.get("DomainName") for o in config.get("Origins", []) if isinstance(o.get("DomainName"), str)],
            "waf": waf.path if waf is not None else None,
        })
    return {
        "vpcs": vpcs,
        "edges": edges,
        "flows": flows,
        "links": [{"path": link.path, "type": link.type} for link in assembly.of_type(*LINK_TYPES)],
    }


def _subnet(subnet: Resource) -> dict[str, Any]:
    tags = {t.get("Key"): t.get("Value") for t in subnet.prop("Tags", default=[]) or [] if isinstance(t, dict)}
    routes = internet_routes(subnet) or []
    return {
        "path": subnet.path,
        "cidr": subnet.prop("CidrBlock"),
        "zone": subnet.prop("AvailabilityZone") if isinstance(subnet.prop("AvailabilityZone"), str) else None,
        "tier": tags.get("aws-cdk:subnet-name") or tags.get("aws-cdk:subnet-type") or "Subnets",
        "internet_route": ("internet gateway" if any(r.via == "GatewayId" for r in routes)
                           else "NAT gateway" if any(r.via == "NatGatewayId" for r in routes)
                           else "internet" if routes else None),
    }


def _members(assembly: CloudAssembly) -> list[dict[str, Any]]:
    """What sits in the subnets: entry points, server groups, databases, endpoints, with their groups."""
    members = []

    def add(resource: Resource, kind: str, subnets: list[Resource | None], groups: Any, extra: dict | None = None):
        placed = [s for s in subnets if s is not None]
        tiers = sorted({_subnet(s)["tier"] for s in placed}, key=_tier_rank)
        vpc = placed[0].target(placed[0].prop("VpcId")) if placed else None
        members.append({
            "path": resource.path, "kind": kind, "tiers": tiers, "vpc": vpc.path if vpc else None,
            "groups": [g.path for g in (resource.target(x) for x in (groups or [])) if g is not None],
            **(extra or {}),
        })

    associations = assembly.of_type("AWS::WAFv2::WebACLAssociation")
    for balancer in assembly.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer"):
        waf = next((a.target(a.prop("WebACLArn")) for a in associations
                    if a.target(a.prop("ResourceArn")) is balancer), None)
        scheme = balancer.prop("Scheme", default="internet-facing")
        add(balancer, f"{scheme} load balancer", subnets_of(balancer, "Subnets"), balancer.prop("SecurityGroups"),
            {"entry_point": scheme == "internet-facing", "waf": waf.path if waf is not None else None})
    for group in assembly.of_type("AWS::AutoScaling::AutoScalingGroup"):
        template = group.target(group.prop("LaunchTemplate", "LaunchTemplateId"))
        groups = template.prop("LaunchTemplateData", "SecurityGroupIds") if template else None
        interfaces = template.prop("LaunchTemplateData", "NetworkInterfaces") if template else None
        if not groups and isinstance(interfaces, list):
            groups = [g for i in interfaces if isinstance(i, dict) for g in i.get("Groups", [])]
        add(group, "servers (Auto Scaling group)", subnets_of(group, "VPCZoneIdentifier"), groups)
    for database in assembly.of_type("AWS::RDS::DBCluster", "AWS::RDS::DBInstance"):
        subnet_group = database.target(database.prop("DBSubnetGroupName"))
        if subnet_group is None:
            continue
        add(database, "database", subnets_of(subnet_group, "SubnetIds"), database.prop("VpcSecurityGroupIds"))
    for endpoint in assembly.of_type("AWS::EC2::VPCEndpoint"):
        if endpoint.prop("VpcEndpointType") == "Interface" or endpoint.prop("SubnetIds"):
            add(endpoint, "endpoint", subnets_of(endpoint, "SubnetIds"), endpoint.prop("SecurityGroupIds"))
    return members


def _vpc_of(group: Resource) -> str | None:
    vpc = group.target(group.prop("VpcId"))
    return vpc.path if vpc is not None else None


def _tier_rank(name: str) -> tuple[int, str]:
    return (TIER_ORDER.index(name) if name in TIER_ORDER else len(TIER_ORDER), name)
