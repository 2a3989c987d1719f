"""No security group admits the world except on the web ports (CLD.9.5.2, 13.1.3).

The world is any IPv4 range of /8 or wider and any IPv6 range of /16 or wider (0.0.0.0/1 is as open as 0.0.0.0/0);
a prefix list is read (GetManagedPrefixListEntries) and judged by its entries."""

import ipaddress
from typing import Any

from compliance.audit.framework import Account, AuditCheck, Finding, Unverifiable, failed, pages, passed, unverified

GROUP = "AWS::EC2::SecurityGroup"
WIDEST = {4: 8, 6: 16}
"""The longest prefix, per IP version, still counted as the world."""
WEB_PORTS = {80, 443}
"""TCP 80 is accepted only as the redirect to 443."""


def _world(cidr: str | None) -> bool:
    try:
        network = ipaddress.ip_network(cidr or "", strict=False)
    except ValueError:
        return False
    return network.prefixlen <= WIDEST[network.version]


def _world_sources(ec2: Any, permission: dict, prefix_lists: dict[str, list[str]]) -> list[str]:
    """The world-wide ranges ``permission`` admits; Unverifiable when one of its prefix lists cannot be read."""
    sources = [r["CidrIp"] for r in permission.get("IpRanges", []) if _world(r.get("CidrIp"))] + \
        [r["CidrIpv6"] for r in permission.get("Ipv6Ranges", []) if _world(r.get("CidrIpv6"))]
    for entry in permission.get("PrefixListIds", []):
        prefix_list = entry.get("PrefixListId", "")
        if prefix_list not in prefix_lists:
            prefix_lists[prefix_list] = [e.get("Cidr", "") for e in pages(
                ec2, "get_managed_prefix_list_entries", "Entries", PrefixListId=prefix_list)]
        sources += [f"{cidr} (prefix list {prefix_list})" for cidr in prefix_lists[prefix_list] if _world(cidr)]
    return sources


def _web(permission: dict) -> bool:
    return permission.get("IpProtocol") in ("tcp", "6") and permission.get("FromPort") in WEB_PORTS \
        and permission.get("FromPort") == permission.get("ToPort")


def security_group_world_ingress(account: Account) -> list[Finding]:
    partition = account.session.get_partition_for_region(account.region)
    ec2 = account.client("ec2")
    prefix_lists: dict[str, list[str]] = {}
    findings = []
    for group in pages(ec2, "describe_security_groups", "SecurityGroups"):
        arn = group.get("SecurityGroupArn") or \
            f"arn:{partition}:ec2:{account.region}:{group['OwnerId']}:security-group/{group['GroupId']}"
        name = f"{group['GroupId']} ({group.get('GroupName')})"
        open_to_world, unread = [], []
        for permission in group.get("IpPermissions", []):
            try:
                sources = _world_sources(ec2, permission, prefix_lists)
            except Unverifiable as error:
                unread.append(str(error))
                continue
            if sources and not _web(permission):
                protocol = permission.get("IpProtocol")
                ports = "all" if protocol == "-1" else f"{permission.get('FromPort')}-{permission.get('ToPort')}"
                open_to_world.append(f"IpProtocol = {protocol}, ports {ports} from {', '.join(sources)}")
        unread_words = f"; prefix lists unread: {'; '.join(unread)}" if unread else ""
        if unread and not open_to_world:
            findings.append(unverified(arn, GROUP, account.region, f"{name} IpPermissions{unread_words}"))
            continue
        if open_to_world:
            findings.append(failed(arn, GROUP, account.region,
                                   f"{name} IpPermissions: {'; '.join(open_to_world)}{unread_words}"))
        else:
            findings.append(passed(arn, GROUP, account.region,
                                   f"{name} IpPermissions: no ingress from a /8-or-wider IPv4 or /16-or-wider IPv6 "
                                   "range (prefix lists read) other than TCP 80/443"))
    return findings


CHECK = AuditCheck(
    id="SecurityGroupWorldIngress",
    clauses=("CLD.9.5.2", "13.1.3"),
    title="No security group admits 0.0.0.0/0 or ::/0 (or any /8-or-wider IPv4 or /16-or-wider IPv6 range, directly "
          "or through a prefix list) except on TCP 443 (and TCP 80 for the HTTPS redirect).",
    run=security_group_world_ingress,
)
