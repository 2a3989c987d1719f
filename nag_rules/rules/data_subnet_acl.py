import ipaddress
from typing import Any

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import internet_routes, subnets_of, tags
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved

SUBNET_GROUP_TYPES = (
    "AWS::RDS::DBSubnetGroup", "AWS::DocDB::DBSubnetGroup", "AWS::Neptune::DBSubnetGroup",
    "AWS::ElastiCache::SubnetGroup",
)

DATABASES = {
    "AWS::RDS::DBCluster": "DBSubnetGroupName",
    "AWS::RDS::DBInstance": "DBSubnetGroupName",
    "AWS::DocDB::DBCluster": "DBSubnetGroupName",
    "AWS::Neptune::DBCluster": "DBSubnetGroupName",
    "AWS::ElastiCache::ReplicationGroup": "CacheSubnetGroupName",
    "AWS::ElastiCache::CacheCluster": "CacheSubnetGroupName",
}
"""Databases and caches, and the property that names their subnet group."""

ENGINE_PORTS = {
    "aurora-postgresql": 5432, "postgres": 5432, "aurora-mysql": 3306, "aurora": 3306, "mysql": 3306,
    "mariadb": 3306, "redis": 6379, "valkey": 6379, "memcached": 11211,
}
TYPE_PORTS = {"AWS::DocDB::DBCluster": 27017, "AWS::Neptune::DBCluster": 8182}
"""Ports a database listens on when its Port property is absent."""

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def data_subnet_acl(resource: Resource) -> Check:
    assembly = resource.stack.assembly
    groups = [g for g in assembly.of_type(*SUBNET_GROUP_TYPES)
              if any(s is resource for s in subnets_of(g, "SubnetIds"))]
    vpc = resource.target(resource.prop("VpcId"))
    siblings = {s: internet_routes(s) for s in assembly.of_type("AWS::EC2::Subnet")
                if vpc is not None and s is not resource and s.target(s.prop("VpcId")) is vpc}
    if groups:
        why = f"named by {', '.join(g.path for g in groups)}"
    elif tags(resource).get("aws-cdk:subnet-type") == "Isolated" and any(siblings.values()):
        why = "the isolated tier of a VPC whose other subnets route to the internet"
    elif tags(resource).get("aws-cdk:subnet-type") == "Isolated" and None in siblings.values():
        return unresolved("an isolated subnet; whether its VPC has internet-routed tiers cannot be known: "
                          "some route tables are outside this app")
    else:
        return not_applicable()

    acls = {id(a): a for a in (association.target(association.prop("NetworkAclId"))
                               for association in assembly.of_type("AWS::EC2::SubnetNetworkAclAssociation")
                               if association.target(association.prop("SubnetId")) is resource)}
    if not acls:
        return non_compliant(f"a data subnet ({why}) on the VPC's default network ACL, which allows all traffic")
    if None in acls.values():
        return unresolved(f"a data subnet ({why}) whose network ACL is outside this app")

    application = [s for s, routes in siblings.items() if routes and all(r.via == "NatGatewayId" for r in routes)]
    networks, unknown = _cidrs(application)
    if vpc is None:
        unknown.append(f"the VPC {show(resource.prop('VpcId'))}, outside this app")
    ports = _database_ports(resource, groups)
    if isinstance(ports, Check):
        return ports

    found: dict[str, list[str]] = {"problem": [], "doubt": [], "allowed": []}
    for acl in acls.values():
        for entry in assembly.of_type("AWS::EC2::NetworkAclEntry"):
            if entry.target(entry.prop("NetworkAclId")) is not acl:
                continue
            egress, action = entry.prop("Egress", default=False), entry.prop("RuleAction")
            if is_intrinsic(egress) or is_intrinsic(action):
                found["doubt"].append(f"{entry.path}: Egress = {show(egress)}, RuleAction = {show(action)}")
            elif egress not in (True, "true") and str(action).lower() == "allow":
                kind, text = _inbound(entry, networks, unknown, ports)
                found[kind].append(text)
    if found["problem"]:
        return non_compliant(f"a data subnet ({why}): " + "; ".join(found["problem"]))
    if found["doubt"]:
        return unresolved(f"a data subnet ({why}): " + "; ".join(found["doubt"]))
    acl_paths = ", ".join(a.path for a in acls.values())
    inbound = "; ".join(found["allowed"]) or "nothing"
    port_source = (", ".join(f"{p} ({', '.join(sources)})" for p, sources in sorted(ports.items())) if ports
                   else "none yet: no database or cache in this subnet, so any single port is accepted")
    return compliant(f"a data subnet ({why}) with its own network ACL {acl_paths}, which allows in only "
                     f"{inbound}; database ports: {port_source}")


def _cidrs(subnets: list[Resource]) -> tuple[list[tuple[Network, Resource]], list[str]]:
    networks, unknown = [], []
    for subnet in subnets:
        for key in ("CidrBlock", "Ipv6CidrBlock"):
            value = subnet.prop(key)
            if value is None:
                continue
            try:
                networks.append((ipaddress.ip_network(value, strict=False), subnet))
            except (TypeError, ValueError):
                unknown.append(f"{subnet.path} ({key} = {show(value)})")
    return networks, unknown


def _database_ports(subnet: Resource, groups: list[Resource]) -> dict[int, list[str]] | Check:
    """The ports the databases and caches placed in ``groups`` listen on, each with what says so."""
    ports: dict[int, list[str]] = {}
    for kind, key in DATABASES.items():
        for database in subnet.stack.assembly.of_type(kind):
            if database.target(database.prop(key)) not in groups or (
                    kind == "AWS::RDS::DBInstance" and database.prop("DBClusterIdentifier") is not None):
                continue  # elsewhere, or an Aurora member, which listens on its cluster's port
            port = _number(database.prop("Port"))
            engine = database.prop("Engine", default="redis" if kind == "AWS::ElastiCache::ReplicationGroup" else None)
            if port is not None:
                source = f"{database.path} Port = {port}"
            elif database.prop("Port") is not None or is_intrinsic(engine):
                return unresolved(f"{database.path}: Port = {show(database.prop('Port'))}, Engine = {show(engine)}")
            else:
                port = TYPE_PORTS.get(kind) or ENGINE_PORTS.get(str(engine).lower()) or _family_port(str(engine))
                if port is None:
                    return unresolved(f"{database.path}: Engine = {show(engine)}, whose default port is not known "
                                      "to this rule; set Port")
                source = f"{database.path} default port of {show(engine) if engine else kind}"
            ports.setdefault(port, []).append(source)
    return ports


def _family_port(engine: str) -> int | None:
    return 1521 if engine.startswith("oracle") else 1433 if engine.startswith("sqlserver") else None


def _inbound(entry: Resource, networks: list[tuple[Network, Resource]], unknown: list[str],
             ports: dict[int, list[str]]) -> tuple[str, str]:
    protocol = entry.prop("Protocol")
    cidr = entry.prop("CidrBlock", default=entry.prop("Ipv6CidrBlock"))
    if is_intrinsic(protocol):
        return "doubt", f"{entry.path}: Protocol = {show(protocol)}"
    if str(protocol) == "-1":
        return "problem", f"{entry.path} allows all traffic from {show(cidr)}"
    if str(protocol) != "6":
        return "problem", (f"{entry.path} allows protocol {show(protocol)} from {show(cidr)}: only TCP to the "
                           "database port may come in")
    try:
        source = ipaddress.ip_network(cidr, strict=False)
    except (TypeError, ValueError):
        return "doubt", f"{entry.path}: source CidrBlock = {show(cidr)}"
    within = next((s for n, s in networks
                   if n.version == source.version and source.subnet_of(n)), None)  # type: ignore[arg-type]
    if within is None:
        if unknown:
            return "doubt", f"{entry.path} allows {source}; the CIDRs of {', '.join(unknown)} are not known"
        application = (", ".join(f"{n} ({s.path})" for n, s in networks)
                       or "none: no subnet routes out via a NAT gateway")
        return "problem", f"{entry.path} allows {source}, which is not within the application subnets ({application})"
    port_range = entry.prop("PortRange")
    if port_range is None:
        return "problem", f"{entry.path} allows every TCP port from {source}"
    low, high = ((_number(port_range.get("From")), _number(port_range.get("To"))) if isinstance(port_range, dict)
                 else (None, None))
    if low is None or high is None:
        return "doubt", f"{entry.path}: PortRange = {show(port_range)}"
    if low != high:
        return "problem", f"{entry.path} allows the TCP port range {low}-{high} from {source}, not one database port"
    if ports and low not in ports:
        return "problem", (f"{entry.path} allows tcp/{low} from {source}, but the databases here listen on "
                           f"{', '.join(map(str, sorted(ports)))}")
    return "allowed", f"tcp/{low} from {source} (within {within.path}) by {entry.path}"


def _number(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


RULE = Rule(
    name="DataSubnetAcl",
    clauses=("13.1.3",),
    resource_types=("AWS::EC2::Subnet",),
    info="A data subnet's network ACL lets in more than the application subnets on the database port.",
    explanation=(
        "Data subnets are those a database or cache subnet group names, and the isolated tier of a VPC "
        "whose other tiers route to the internet. Each has a network ACL of its own (the default one "
        "allows everything) whose every inbound allow entry names a source within the application "
        "subnets (those that route out through a NAT gateway) and exactly one TCP port: the port of "
        "the databases placed there (their Port, else their engine's default). ServiceVpc builds it."
    ),
    check=data_subnet_acl,
    security_hub=("EC2.21",),
)
