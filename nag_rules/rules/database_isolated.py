from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import routes_of, subnets_of
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved

SUBNET_GROUPS = {
    "AWS::RDS::DBInstance": ("DBSubnetGroupName", "AWS::RDS::DBSubnetGroup"),
    "AWS::RDS::DBCluster": ("DBSubnetGroupName", "AWS::RDS::DBSubnetGroup"),
    "AWS::DocDB::DBCluster": ("DBSubnetGroupName", "AWS::DocDB::DBSubnetGroup"),
    "AWS::Neptune::DBCluster": ("DBSubnetGroupName", "AWS::Neptune::DBSubnetGroup"),
    "AWS::ElastiCache::ReplicationGroup": ("CacheSubnetGroupName", "AWS::ElastiCache::SubnetGroup"),
    "AWS::ElastiCache::CacheCluster": ("CacheSubnetGroupName", "AWS::ElastiCache::SubnetGroup"),
}


def database_isolated(resource: Resource) -> Check:
    public = resource.prop("PubliclyAccessible")
    if is_intrinsic(public):
        return unresolved(f"PubliclyAccessible = {show(public)}")
    if public is True or public == "true":
        return non_compliant("PubliclyAccessible = true")
    owner = resource
    if resource.type == "AWS::RDS::DBInstance" and resource.prop("DBClusterIdentifier") is not None:
        owner = resource.target(resource.prop("DBClusterIdentifier"))
        if owner is None:
            return unresolved(f"DBClusterIdentifier = {show(resource.prop('DBClusterIdentifier'))} is outside this app")
    subnets = _subnets(owner)
    if isinstance(subnets, Check):
        return subnets
    group, members = subnets
    if public is None and _instances_decide_access(resource):
        gateways = sorted({vpc.path for vpc in (_vpc(s) for s in members) if vpc is not None and _has_internet_gateway(vpc)})
        if gateways:
            return non_compliant(f"PubliclyAccessible is absent, and RDS then makes the database public because "
                                 f"{', '.join(gateways)} has an internet gateway: set it to false")
    if owner is not resource:
        return compliant(f"PubliclyAccessible = {show(public) if public is not None else '(absent: private)'}; "
                         f"placed by {owner.path} in {group.path}")
    for subnet in members:
        routes = routes_of(subnet)
        if routes is None:
            return unresolved(f"{subnet.path}: its route table is outside this app")
        if routes:
            return non_compliant(f"{group.path} includes {subnet.path}, which routes out of the VPC via "
                                 f"{', '.join(r.describe() for r in routes)}")
    return compliant(f"{group.path}: subnets {', '.join(s.path for s in members)} have no route out of the VPC")


def _subnets(resource: Resource) -> tuple[Resource, list[Resource]] | Check:
    key, group_type = SUBNET_GROUPS[resource.type]
    name = resource.prop(key)
    if name is None:
        return non_compliant(f"no {key}: the database lands in the default VPC's public subnets")
    group = resource.target(name)
    if group is None or group.type != group_type:
        return unresolved(f"{key} = {show(name)} is outside this app")
    subnets = subnets_of(group, "SubnetIds")
    if not subnets or any(s is None for s in subnets):
        return unresolved(f"{group.path}: some subnets are outside this app")
    return group, [s for s in subnets if s is not None]


def _instances_decide_access(resource: Resource) -> bool:
    """An RDS instance, or a Multi-AZ DB cluster (which has instance classes of its own; an Aurora
    cluster's members decide for themselves)."""
    return resource.type == "AWS::RDS::DBInstance" or (
        resource.type == "AWS::RDS::DBCluster" and resource.prop("DBClusterInstanceClass") is not None)


def _vpc(subnet: Resource) -> Resource | None:
    return subnet.target(subnet.prop("VpcId"))


def _has_internet_gateway(vpc: Resource) -> bool:
    return any(a.target(a.prop("VpcId")) is vpc and "InternetGatewayId" in a.properties
               for a in vpc.stack.assembly.of_type("AWS::EC2::VPCGatewayAttachment"))


RULE = Rule(
    name="DatabaseIsolated",
    clauses=("13.1.3", "CLD.9.5.1"),
    resource_types=tuple(SUBNET_GROUPS),
    info="A database or cache is publicly accessible or outside isolated subnets.",
    explanation=(
        "Networks are separated by use: databases and caches live only in isolated data subnets, whose "
        "route tables have no route out of the VPC (to 0.0.0.0/1 as much as to 0.0.0.0/0, through any "
        "gateway), and are never publicly accessible: PubliclyAccessible is set to false, because RDS "
        "makes a database public when it is absent and the VPC has an internet gateway."
    ),
    check=database_isolated,
    security_hub=("RDS.2", "RDS.46"),
)
