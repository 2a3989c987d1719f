from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import IngressRule, ingress_rules, security_group_users, standalone_rule_group
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved
from nag_rules.standards import PUBLIC_ENTRY_PORTS

LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"


def security_group_world_ingress(resource: Resource) -> Check:
    if resource.type == "AWS::EC2::SecurityGroupIngress":
        group = standalone_rule_group(resource)
        if isinstance(group, Resource):
            return not_applicable("evaluated with the security group it belongs to")
        rules = ingress_rules(resource)
        balancers: list[str] | Check = []
    else:
        group, rules = resource.path, ingress_rules(resource)
        balancers = _only_internet_facing_load_balancers(resource)
    unknown = [r.defined_in for r in rules if r.source == "?"]
    if unknown:
        return unresolved(f"the source of an ingress rule in {', '.join(unknown)} is known only at deploy time")
    for rule in rules:
        if rule.source.startswith("pl:") and not (isinstance(balancers, list) and balancers):
            return unresolved(f"{rule.describe()}: a prefix list's addresses are known only at deploy time")
        if not rule.from_internet:
            continue
        if isinstance(balancers, Check):
            return balancers
        if not balancers:
            return non_compliant(f"{rule.describe()} ({rule.defined_in}): open to the internet, and the group "
                                 f"{group} is not used by internet-facing load balancers only")
        if not _public_entry(rule):
            return non_compliant(f"{rule.describe()}: a load balancer may accept only tcp/443 and tcp/80 "
                                 "from the internet")
    if not rules:
        return compliant("no ingress rule")
    used_by = balancers if isinstance(balancers, list) else []
    where = f" (used only by internet-facing load balancer {', '.join(used_by)})" if used_by else ""
    return compliant("ingress: " + "; ".join(rule.describe() for rule in rules) + where)


def _public_entry(rule: IngressRule) -> bool:
    ports = rule.ports()
    return rule.protocol in ("6", "tcp") and ports is not None and ports <= set(PUBLIC_ENTRY_PORTS)


def _only_internet_facing_load_balancers(group: Resource) -> list[str] | Check:
    """The internet-facing load balancers that use ``group``, if nothing else does; [] otherwise."""
    users = security_group_users(group)
    if not users or any(user.type != LOAD_BALANCER for user in users):
        return []
    for balancer in users:
        scheme = balancer.prop("Scheme", default="internet-facing")
        if is_intrinsic(scheme):
            return unresolved(f"{balancer.path}: Scheme = {show(scheme)}")
        if scheme != "internet-facing":
            return []
    return [balancer.path for balancer in users]


RULE = Rule(
    name="SecurityGroupWorldIngress",
    clauses=("CLD.9.5.2", "13.1.3"),
    resource_types=("AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress"),
    info="The security group accepts traffic from the internet on something other than a load balancer's 443/80.",
    explanation=(
        "Ports and protocols are limited: only a security group used by internet-facing load balancers "
        "alone accepts traffic from internet addresses (any CIDR outside the private ranges, 0.0.0.0/1 as "
        "much as 0.0.0.0/0), and only HTTPS (443) and HTTP (80, to redirect). Every other group admits only "
        "the tier in front of it, by security group. Standalone ingress rules on groups outside the app "
        "(such as a VPC's default group) are checked too."
    ),
    check=security_group_world_ingress,
    security_hub=("EC2.18", "EC2.19"),
)
