from compliance.audit.framework import Account, AuditCheck, Finding, failed, pages, passed

INSTANCE = "AWS::EC2::Instance"
LIVE = ["pending", "running", "stopping", "stopped"]


def imdsv2_required(account: Account) -> list[Finding]:
    partition = account.session.get_partition_for_region(account.region)
    findings = []
    for reservation in pages(account.client("ec2"), "describe_instances", "Reservations",
                             Filters=[{"Name": "instance-state-name", "Values": LIVE}]):
        for instance in reservation.get("Instances", []):
            arn = f"arn:{partition}:ec2:{account.region}:{reservation['OwnerId']}:instance/{instance['InstanceId']}"
            options = instance.get("MetadataOptions", {})
            tokens = options.get("HttpTokens")
            evidence = f"MetadataOptions.HttpTokens = {tokens}, HttpEndpoint = {options.get('HttpEndpoint')}"
            findings.append((passed if tokens == "required" else failed)(arn, INSTANCE, account.region, evidence))
    return findings


CHECK = AuditCheck(
    id="Imdsv2Required",
    clauses=("CLD.9.5.2",),
    title="Every instance that is not terminated requires IMDSv2 session tokens (MetadataOptions.HttpTokens = required).",
    run=imdsv2_required,
    synth_rule="ISO27017-Imdsv2Required",
)
