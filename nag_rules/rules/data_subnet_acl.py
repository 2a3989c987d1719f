from nag_rules.assembly import Resource, show
from nag_rules.cfn import subnets_of
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved

SUBNET_GROUP_TYPES = (
    "AWS::RDS::DBSubnetGroup", "AWS::DocDB::DBSubnetGroup", "AWS::Neptune::DBSubnetGroup",
    "AWS::ElastiCache::SubnetGroup",
)


def data_subnet_acl(resource: Resource) -> Check:
    subnets = subnets_of(resource, "SubnetIds")
    if not subnets or any(s is None for s in subnets):
        return unresolved("some subnets of the group are outside this app")
    assembly = resource.stack.assembly
    evidence = []
    for subnet in subnets:
        acls = [a.target(a.prop("NetworkAclId")) for a in assembly.of_type("AWS::EC2::SubnetNetworkAclAssociation")
                if a.target(a.prop("SubnetId")) is subnet]
        if not acls:
            return non_compliant(f"{subnet.path} uses the VPC's default network ACL, which allows all traffic")
        acl = acls[0]
        if acl is None:
            return unresolved(f"{subnet.path}: its network ACL is outside this app")
        inbound = [e for e in assembly.of_type("AWS::EC2::NetworkAclEntry")
                   if e.target(e.prop("NetworkAclId")) is acl and e.prop("Egress") in (False, "false", None)
                   and e.prop("RuleAction") == "allow"]
        for entry in inbound:
            cidr = entry.prop("CidrBlock", default=entry.prop("Ipv6CidrBlock"))
            ports = entry.prop("PortRange") or {}
            if cidr in ("0.0.0.0/0", "::/0") or str(entry.prop("Protocol")) == "-1" or not ports:
                return non_compliant(f"{acl.path}: {entry.path} allows {show(entry.prop('Protocol'))} "
                                     f"{show(ports) if ports else 'all ports'} from {show(cidr)}")
        evidence.append(f"{subnet.path}: {acl.path} allows in only "
                        + ", ".join(f"{e.prop('CidrBlock')} on {show(e.prop('PortRange'))}" for e in inbound))
    return compliant("; ".join(evidence))


RULE = Rule(
    name="DataSubnetAcl",
    clauses=("13.1.3",),
    resource_types=SUBNET_GROUP_TYPES,
    info="A database subnet uses a network ACL that does not limit who may reach it.",
    explanation=(
        "The data subnets accept only the application subnets on the database port: every subnet a "
        "database or cache subnet group names has its own network ACL whose allow entries name a "
        "source CIDR and a port range (ServiceVpc builds it)."
    ),
    check=data_subnet_acl,
    security_hub=("EC2.21",),
)
