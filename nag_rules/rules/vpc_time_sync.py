from nag_rules.assembly import Resource, show
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved
from nag_rules.standards import TIME_SYNC_IPV4, TIME_SYNC_IPV6


def vpc_time_sync(resource: Resource) -> Check:
    assembly = resource.stack.assembly
    associations = [a for a in assembly.of_type("AWS::EC2::VPCDHCPOptionsAssociation")
                    if a.target(a.prop("VpcId")) is resource]
    if not associations:
        return non_compliant("no DHCP options set is associated: instances use the default options, "
                             "whose time source is not stated")
    ipv6 = any(c.target(c.prop("VpcId")) is resource and c.prop("AmazonProvidedIpv6CidrBlock") is True
               for c in assembly.of_type("AWS::EC2::VPCCidrBlock"))
    wanted = [TIME_SYNC_IPV4, TIME_SYNC_IPV6] if ipv6 else [TIME_SYNC_IPV4]
    association = associations[0]
    options = association.target(association.prop("DhcpOptionsId"))
    if options is None:
        return unresolved(f"{association.path}: DhcpOptionsId = {show(association.prop('DhcpOptionsId'))} "
                          "is outside this app")
    servers = options.prop("NtpServers", default=[])
    if not isinstance(servers, list):
        return unresolved(f"{options.path}: NtpServers = {show(servers)}")
    missing = [server for server in wanted if server not in servers]
    if missing:
        return non_compliant(f"{options.path}: NtpServers = {show(servers)} lacks {', '.join(missing)}")
    return compliant(f"DHCP options {options.path} give NtpServers = {show(servers)} (Amazon Time Sync Service)")


RULE = Rule(
    name="VpcTimeSync",
    clauses=("12.4.4",),
    resource_types=("AWS::EC2::VPC",),
    info="The VPC's DHCP options do not point instances at the Amazon Time Sync Service.",
    explanation=(
        "Clocks are synchronised with the Amazon Time Sync Service. Associate every VPC with a DHCP "
        f"options set whose NtpServers include {TIME_SYNC_IPV4} ({TIME_SYNC_IPV6} as well when IPv6 is on); "
        "the HardenedVpc construct does."
    ),
    check=vpc_time_sync,
)
