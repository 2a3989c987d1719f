from compliance.audit.framework import Account, AuditCheck, Finding, failed, pages, passed

VPC = "AWS::EC2::VPC"
AMAZON_TIME_SYNC = {"169.254.169.123", "fd00:ec2::123"}


def vpc_time_sync(account: Account) -> list[Finding]:
    ec2 = account.client("ec2")
    partition = account.session.get_partition_for_region(account.region)
    vpcs = list(pages(ec2, "describe_vpcs", "Vpcs"))
    ids = sorted({vpc["DhcpOptionsId"] for vpc in vpcs if vpc.get("DhcpOptionsId", "default") != "default"})
    ntp: dict[str, list[str]] = {}
    if ids:
        for options in pages(ec2, "describe_dhcp_options", "DhcpOptions", DhcpOptionsIds=ids):
            ntp[options["DhcpOptionsId"]] = [value["Value"] for entry in options.get("DhcpConfigurations", [])
                                             if entry["Key"] == "ntp-servers" for value in entry.get("Values", [])]
    findings = []
    for vpc in vpcs:
        arn = f"arn:{partition}:ec2:{account.region}:{vpc['OwnerId']}:vpc/{vpc['VpcId']}"
        options_id = vpc.get("DhcpOptionsId", "default")
        servers = ntp.get(options_id, [])
        evidence = f"DhcpOptionsId = {options_id}, " + (f"ntp-servers = {servers}" if servers else "no ntp-servers")
        findings.append((passed if AMAZON_TIME_SYNC & set(servers) else failed)(arn, VPC, account.region, evidence))
    return findings


CHECK = AuditCheck(
    id="VpcTimeSync",
    clauses=("12.4.4",),
    title="Every VPC's DHCP options set points ntp-servers at the Amazon Time Sync Service.",
    run=vpc_time_sync,
)
