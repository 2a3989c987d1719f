from nag_rules.assembly import Resource
from nag_rules.cfn import ingress_rules, standalone_rule_group
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved
from nag_rules.standards import REMOTE_ADMIN_PORTS


def no_remote_admin_ingress(resource: Resource) -> Check:
    if resource.type == "AWS::EC2::SecurityGroupIngress" and isinstance(standalone_rule_group(resource), Resource):
        return not_applicable("evaluated with the security group it belongs to")
    rules = ingress_rules(resource)
    for rule in rules:
        open_ports = [port for port in REMOTE_ADMIN_PORTS if rule.covers(port)]
        if open_ports:
            return non_compliant(f"{rule.describe()} admits {' and '.join(f'port {p}' for p in open_ports)} "
                                 "(SSH/RDP); Session Manager is the only way onto a server")
    if any(rule.protocol == "?" for rule in rules):
        return unresolved("an ingress rule's protocol is known only at deploy time")
    return compliant("no ingress rule admits port 22 (SSH) or 3389 (RDP)")


RULE = Rule(
    name="NoRemoteAdminIngress",
    clauses=("9.4.4", "CLD.9.5.2"),
    resource_types=("AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress"),
    info="The security group admits SSH (22) or RDP (3389).",
    explanation=(
        "Privileged utilities are used by few, approved and logged: servers are reached only through "
        "Session Manager, whose sessions are encrypted and logged. No security group admits port 22 "
        "or 3389 from any source, which also rules out all-traffic rules; standalone rules on groups "
        "outside the app (a VPC's default group) are checked too."
    ),
    check=no_remote_admin_ingress,
    security_hub=("EC2.53", "EC2.54"),
)
