import pytest
from botocore.stub import Stubber

from compliance.audit.checks.vpc_flow_logs import CHECK
from compliance.audit.framework import Result, Unverifiable


def _vpc(aws, traffic=None):
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    if traffic:
        aws.client("logs").create_log_group(logGroupName="flow")
        ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType=traffic, LogGroupName="flow",
                             DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/flow")
    return next(f for f in CHECK.run(aws) if f.resource.endswith(f":vpc/{vpc}"))


def test_pass_1_active_all_traffic_flow_log(aws):
    finding = _vpc(aws, "ALL")
    assert finding.result is Result.PASS and "TrafficType = ALL, FlowLogStatus = ACTIVE" in finding.evidence


def test_fail_1_rejected_traffic_only(aws):
    finding = _vpc(aws, "REJECT")
    assert finding.result is Result.FAIL and "TrafficType = REJECT" in finding.evidence


def test_fail_2_no_flow_log(aws):
    finding = _vpc(aws)
    assert finding.result is Result.FAIL and "no flow log with ResourceId = vpc-" in finding.evidence


def test_unverified_1_flow_logs_denied(aws):
    stub = Stubber(aws.client("ec2"))
    stub.add_client_error("describe_flow_logs", "UnauthorizedOperation", http_status_code=403)
    stub.activate()
    with pytest.raises(Unverifiable, match="DescribeFlowLogs: access denied"):
        CHECK.run(aws)
