from nag_rules.assembly import Resource
from nag_rules.cfn import ingress_rules
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved
from nag_rules.standards import PUBLIC_ENTRY_PORTS


def security_group_world_ingress(resource: Resource) -> Check:
    rules = ingress_rules(resource)
    if any(rule.source == "?" for rule in rules):
        unknown = [r.defined_in for r in rules if r.source == "?"]
        return unresolved(f"the source of an ingress rule in {', '.join(unknown)} is known only at deploy time")
    balancers = _internet_facing_load_balancers(resource)
    for rule in rules:
        if not rule.from_anywhere:
            continue
        ports = rule.ports()
        if not balancers:
            return non_compliant(f"{rule.describe()}: open to the internet, and not on a load balancer")
        if ports is None or not ports <= set(PUBLIC_ENTRY_PORTS) or rule.protocol not in ("6", "tcp"):
            return non_compliant(f"{rule.describe()}: a load balancer may accept only tcp/443 and tcp/80 from anywhere")
    if not rules:
        return compliant("no ingress rule")
    where = f" (internet-facing load balancer {', '.join(balancers)})" if balancers else ""
    return compliant("ingress: " + "; ".join(rule.describe() for rule in rules) + where)


def _internet_facing_load_balancers(group: Resource) -> list[str]:
    found = []
    for balancer in group.stack.assembly.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer"):
        if balancer.prop("Scheme", default="internet-facing") != "internet-facing":
            continue
        groups = balancer.prop("SecurityGroups", default=[]) or []
        if any(balancer.target(g) is group for g in groups):
            found.append(balancer.path)
    return found


RULE = Rule(
    name="SecurityGroupWorldIngress",
    clauses=("CLD.9.5.2", "13.1.3"),
    resource_types=("AWS::EC2::SecurityGroup",),
    info="The security group accepts traffic from anywhere on something other than a load balancer's 443/80.",
    explanation=(
        "Ports and protocols are limited: only the internet-facing load balancer accepts traffic from "
        "0.0.0.0/0 or ::/0, and only HTTPS (443) and HTTP (80, to redirect). Every other group admits "
        "only the tier in front of it, by security group."
    ),
    check=security_group_world_ingress,
    security_hub=("EC2.18", "EC2.19"),
)
