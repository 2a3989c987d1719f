from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import default_route, subnets_of
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved

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
    if resource.type == "AWS::RDS::DBInstance" and resource.prop("DBClusterIdentifier") is not None:
        return not_applicable("a cluster member: the cluster's subnet group decides")
    key, group_type = SUBNET_GROUPS[resource.type]
    name = resource.prop(key)
    if name is None:
        return non_compliant(f"no {key}: the database lands in the default VPC's public subnets")
    group = resource.target(name)
    if group is None or group.type != group_type:
        return unresolved(f"{key} = {show(name)} is outside this app")
    subnets = subnets_of(group, "SubnetIds" if group_type != "AWS::ElastiCache::SubnetGroup" else "SubnetIds")
    if not subnets or any(s is None for s in subnets):
        return unresolved(f"{group.path}: some subnets are outside this app")
    for subnet in subnets:
        routes = default_route(subnet)
        if routes:
            return non_compliant(f"{group.path} includes {subnet.path}, which routes to the internet via "
                                 f"{', '.join(routes)}")
    return compliant(f"{group.path}: subnets {', '.join(s.path for s in subnets)} have no route to the internet")


RULE = Rule(
    name="DatabaseIsolated",
    clauses=("13.1.3",),
    resource_types=tuple(SUBNET_GROUPS),
    info="A database or cache is publicly accessible or outside isolated subnets.",
    explanation=(
        "Networks are separated by use: databases and caches live only in isolated data subnets, "
        "with no route to or from the internet, and are never publicly accessible."
    ),
    check=database_isolated,
    security_hub=("RDS.2", "RDS.46"),
)
