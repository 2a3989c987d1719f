from aws_cdk import aws_ec2 as ec2

from nag_rules import Status
from nag_rules.rules.vpc_flow_logs import RULE
from tests.helpers import evaluations_of, new_stack, only


def _vpc(stack):
    return ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0,
                   subnet_configuration=[ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])


def test_noncompliance_1_vpc_without_flow_log():
    stack = new_stack()
    _vpc(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "no AWS::EC2::FlowLog records this VPC's traffic"


def test_noncompliance_2_flow_log_of_rejected_traffic_only():
    stack = new_stack()
    _vpc(stack).add_flow_log("FlowLog", traffic_type=ec2.FlowLogTrafficType.REJECT)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "REJECT" in evaluation.evidence


def test_noncompliance_3_flow_log_of_another_vpc_does_not_count():
    stack = new_stack()
    _vpc(stack)
    other = ec2.Vpc(stack, "Other", max_azs=1, nat_gateways=0,
                    subnet_configuration=[ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    other.add_flow_log("FlowLog")
    statuses = {e.resource.path: e.status for e in evaluations_of(stack, RULE)}
    assert statuses == {"Test/Vpc/Resource": Status.VIOLATED, "Test/Other/Resource": Status.COMPLIANT}


def test_compliance_1_all_traffic_to_cloudwatch_logs():
    stack = new_stack()
    _vpc(stack).add_flow_log("FlowLog", traffic_type=ec2.FlowLogTrafficType.ALL)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.startswith("Test/Vpc/FlowLog/FlowLog records ALL traffic to log group Test/Vpc/FlowLog/")
