from compliance.audit.framework import Account, AuditCheck, Finding, failed, pages, passed

VPC = "AWS::EC2::VPC"


def _describe(log: dict) -> str:
    return (f"{log['FlowLogId']}: TrafficType = {log.get('TrafficType')}, FlowLogStatus = {log.get('FlowLogStatus')}, "
            f"DeliverLogsStatus = {log.get('DeliverLogsStatus')}")


def vpc_flow_logs(account: Account) -> list[Finding]:
    ec2 = account.client("ec2")
    partition = account.session.get_partition_for_region(account.region)
    logs: dict[str, list[dict]] = {}
    for flow_log in pages(ec2, "describe_flow_logs", "FlowLogs"):
        logs.setdefault(flow_log.get("ResourceId", ""), []).append(flow_log)
    findings = []
    for vpc in pages(ec2, "describe_vpcs", "Vpcs"):
        arn = f"arn:{partition}:ec2:{account.region}:{vpc['OwnerId']}:vpc/{vpc['VpcId']}"
        mine = logs.get(vpc["VpcId"], [])
        good = [log for log in mine if log.get("TrafficType") == "ALL" and log.get("FlowLogStatus") == "ACTIVE"
                and log.get("DeliverLogsStatus") != "FAILED"]
        if good:
            findings.append(passed(arn, VPC, account.region, f"DescribeFlowLogs {_describe(good[0])}"))
        else:
            findings.append(failed(arn, VPC, account.region, "DescribeFlowLogs " + (
                "; ".join(map(_describe, mine)) if mine else "no flow log with ResourceId = " + vpc["VpcId"])))
    return findings


CHECK = AuditCheck(
    id="VpcFlowLogs",
    clauses=("12.4.1", "13.1.3"),
    title="Every VPC has an active flow log capturing ALL traffic that is not failing delivery.",
    run=vpc_flow_logs,
    synth_rule="ISO27017-VpcFlowLogs",
)
