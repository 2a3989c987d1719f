from compliance.audit.framework import Account, AuditCheck, Finding, failed, pages, passed

GROUP = "AWS::EC2::SecurityGroup"
WORLD = {"0.0.0.0/0", "::/0"}
WEB_PORTS = {80, 443}
"""TCP 80 is accepted only as the redirect to 443."""


def _world_sources(permission: dict) -> list[str]:
    return [r["CidrIp"] for r in permission.get("IpRanges", []) if r.get("CidrIp") in WORLD] + \
        [r["CidrIpv6"] for r in permission.get("Ipv6Ranges", []) if r.get("CidrIpv6") in WORLD]


def _web(permission: dict) -> bool:
    return permission.get("IpProtocol") in ("tcp", "6") and permission.get("FromPort") in WEB_PORTS \
        and permission.get("FromPort") == permission.get("ToPort")


def security_group_world_ingress(account: Account) -> list[Finding]:
    partition = account.session.get_partition_for_region(account.region)
    findings = []
    for group in pages(account.client("ec2"), "describe_security_groups", "SecurityGroups"):
        arn = group.get("SecurityGroupArn") or \
            f"arn:{partition}:ec2:{account.region}:{group['OwnerId']}:security-group/{group['GroupId']}"
        open_to_world = []
        for permission in group.get("IpPermissions", []):
            sources = _world_sources(permission)
            if sources and not _web(permission):
                protocol = permission.get("IpProtocol")
                ports = "all" if protocol == "-1" else f"{permission.get('FromPort')}-{permission.get('ToPort')}"
                open_to_world.append(f"IpProtocol = {protocol}, ports {ports} from {', '.join(sources)}")
        name = f"{group['GroupId']} ({group.get('GroupName')})"
        if open_to_world:
            findings.append(failed(arn, GROUP, account.region, f"{name} IpPermissions: {'; '.join(open_to_world)}"))
        else:
            findings.append(passed(arn, GROUP, account.region,
                                   f"{name} IpPermissions: no ingress from 0.0.0.0/0 or ::/0 other than TCP 80/443"))
    return findings


CHECK = AuditCheck(
    id="SecurityGroupWorldIngress",
    clauses=("CLD.9.5.2", "13.1.3"),
    title="No security group admits 0.0.0.0/0 or ::/0 except on TCP 443 (and TCP 80 for the HTTPS redirect).",
    run=security_group_world_ingress,
    synth_rule="ISO27017-SecurityGroupWorldIngress",
)
