import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2

from config import ConfigurationError
from config.settings import NetworkLink
from nag_rules import Status
from nag_rules.rules.network_link_approved import RULE
from stacks.approvals import approve_network_links
from tests.helpers import evaluations_of, new_stack, only

REASON = "The school board's network reaches the reporting API only through this peering."


def _peering(stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    return ec2.CfnVPCPeeringConnection(stack, "ToPartner", vpc_id=vpc.vpc_id, peer_vpc_id="vpc-0123456789abcdef0",
                                       peer_owner_id="210987654321")


def test_noncompliance_1_peering_not_in_configuration():
    stack = new_stack()
    _peering(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "PeerVpcId = vpc-0123456789abcdef0" in evaluation.evidence


def test_noncompliance_2_customer_gateway_and_vpn():
    stack = new_stack()
    gateway = ec2.CfnCustomerGateway(stack, "School", bgp_asn=65000, ip_address="203.0.113.10", type="ipsec.1")
    ec2.CfnVPNConnection(stack, "Vpn", customer_gateway_id=gateway.ref, type="ipsec.1", vpn_gateway_id="vgw-1")
    assert {e.status for e in evaluations_of(stack, RULE)} == {Status.VIOLATED}


def test_compliance_1_link_listed_in_configuration_is_acknowledged_with_its_reason():
    stack = new_stack()
    _peering(stack)
    approve_network_links(stack.node.root, [NetworkLink(path="Test/ToPartner", reason=REASON)])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.ACKNOWLEDGED
    assert evaluation.acknowledgement.reason == REASON


def test_compliance_2_no_links_no_evaluations():
    stack = new_stack()
    ec2.Vpc(stack, "Vpc", max_azs=1)
    assert evaluations_of(stack, RULE) == []


def test_a_configured_path_that_names_nothing_is_a_configuration_error():
    stack = new_stack()
    with pytest.raises(ConfigurationError) as caught:
        approve_network_links(stack.node.root, [NetworkLink(path="Test/Nowhere", reason=REASON)])
    (problem,) = caught.value.problems
    assert problem.field == "network_links[0].path" and problem.clause == "13.1.3"
    assert isinstance(stack, cdk.Stack)
