from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import text
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved
from nag_rules.standards import PRIVATE_SERVICE_ENDPOINTS


def vpc_service_endpoints(resource: Resource) -> Check:
    assembly = resource.stack.assembly
    by_service: dict[str, list[Resource]] = {}
    unknown = []
    for endpoint in assembly.of_type("AWS::EC2::VPCEndpoint"):
        if endpoint.target(endpoint.prop("VpcId")) is not resource:
            continue
        name = text(endpoint.prop("ServiceName"), endpoint)
        if name is None:
            unknown.append(endpoint.path)
        else:
            by_service.setdefault(name.rsplit(".", 1)[-1], []).append(endpoint)
    tables, outside = _route_tables(resource)
    missing, problems, doubts, used = [], [], [], []
    for service in PRIVATE_SERVICE_ENDPOINTS:
        endpoints = by_service.get(service)
        if not endpoints:
            missing.append(service)
            continue
        verdicts = [(e.path, *_verdict(e, [g for g in endpoints if _kind(g) == "Gateway"], tables, outside))
                    for e in endpoints]
        usable = [f"{service} via {path} ({why})" for path, kind, why in verdicts if kind == "ok"]
        if usable:
            used.append(usable[0])
        else:
            problems += [f"{path}: {why}" for path, kind, why in verdicts if kind == "problem"]
            doubts += [f"{path}: {why}" for path, kind, why in verdicts if kind == "doubt"]
    if missing and unknown:
        doubts.append(f"no endpoint known for {', '.join(missing)}; service names of {', '.join(unknown)} are "
                      "known only at deploy time")
    elif missing:
        problems.insert(0, f"no VPC endpoint for {', '.join(missing)}: that traffic leaves the VPC")
    if problems:
        return non_compliant("; ".join(problems))
    if doubts:
        return unresolved("; ".join(doubts))
    return compliant("; ".join(used))


def _route_tables(vpc: Resource) -> tuple[dict[int, tuple[Resource, list[str]]], list[str]]:
    """The route tables the VPC's subnets are associated with (each with its subnets), and the
    associations whose table is outside this app."""
    tables: dict[int, tuple[Resource, list[str]]] = {}
    outside = []
    for association in vpc.stack.assembly.of_type("AWS::EC2::SubnetRouteTableAssociation"):
        subnet = association.target(association.prop("SubnetId"))
        if subnet is None or subnet.target(subnet.prop("VpcId")) is not vpc:
            continue
        table = association.target(association.prop("RouteTableId"))
        if table is None:
            outside.append(association.path)
        else:
            tables.setdefault(id(table), (table, []))[1].append(subnet.path)
    return tables, outside


def _kind(endpoint: Resource) -> object:
    return endpoint.prop("VpcEndpointType", default="Gateway")


def _verdict(endpoint: Resource, gateways: list[Resource], tables: dict[int, tuple[Resource, list[str]]],
             outside: list[str]) -> tuple[str, str]:
    """("ok" | "problem" | "doubt", why): whether the VPC's traffic to the service takes the endpoint
    (a gateway endpoint together with the service's other gateway endpoints, each on some route tables)."""
    kind = _kind(endpoint)
    if kind == "Interface":
        # CloudFormation's default for PrivateDnsEnabled is false (CDK always writes it).
        dns = endpoint.prop("PrivateDnsEnabled", default=False)
        if is_intrinsic(dns):
            return "doubt", f"PrivateDnsEnabled = {show(dns)}"
        if dns in (True, "true"):
            return "ok", "interface, PrivateDnsEnabled = true"
        absent = " (absent: CloudFormation's default)" if "PrivateDnsEnabled" not in endpoint.properties else ""
        return "problem", (f"PrivateDnsEnabled = false{absent}: the service's public name still resolves to its "
                           "public endpoint, so clients bypass this one")
    if kind != "Gateway":
        return "doubt", f"VpcEndpointType = {show(kind)}"
    routed: set[int] = set()
    for gateway in gateways:
        listed = gateway.prop("RouteTableIds", default=[])
        if not isinstance(listed, list):
            return "doubt", f"{gateway.path}: RouteTableIds = {show(listed)}"
        routed |= {id(t) for t in (gateway.target(item) for item in listed) if t is not None}
    others = f" (with {', '.join(g.path for g in gateways if g is not endpoint)})" if len(gateways) > 1 else ""
    missing = [f"{table.path} ({', '.join(subnets)})" for key, (table, subnets) in tables.items() if key not in routed]
    if missing:
        return "problem", (f"gateway{others} without the route tables {'; '.join(missing)}: those subnets reach "
                           "the service outside the VPC")
    if outside:
        return "doubt", f"the route tables of {', '.join(outside)} are outside this app"
    return "ok", f"gateway{others} on the route tables of all {sum(len(s) for _, s in tables.values())} subnets"


RULE = Rule(
    name="VpcServiceEndpoints",
    clauses=("13.1.3",),
    resource_types=("AWS::EC2::VPC",),
    info="The VPC reaches some AWS services it depends on without a usable VPC endpoint.",
    explanation=(
        "Traffic to S3, KMS, CloudWatch Logs, Systems Manager and Secrets Manager stays inside the "
        "service's networks through gateway and interface endpoints, and only if they are used: an "
        "interface endpoint needs PrivateDnsEnabled true (CloudFormation's default is false) so the "
        "service's name resolves to it, a gateway endpoint the route table of every subnet of the VPC. "
        "HardenedVpc adds them all."
    ),
    check=vpc_service_endpoints,
    security_hub=("EC2.10",),
)
