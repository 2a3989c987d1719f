import pytest
from aws_cdk import aws_ec2 as ec2

from config import ConfigurationError
from config.settings import NetworkLink
from stacks.approvals import approve_network_links
from tests.helpers import new_stack

REASON = "The school board's network reaches the reporting API only through this peering."


def _vpc_with_a_peering(stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    ec2.CfnVPCPeeringConnection(vpc, "ToPartner", vpc_id=vpc.vpc_id, peer_vpc_id="vpc-0123456789abcdef0",
                                peer_owner_id="210987654321")
    return vpc


def test_an_approval_must_name_one_link_not_the_vpc_around_it():
    stack = new_stack()
    _vpc_with_a_peering(stack)
    with pytest.raises(ConfigurationError) as caught:
        approve_network_links(stack.node.root, [NetworkLink(path="Test/Vpc", reason=REASON)])
    (problem,) = caught.value.problems
    line = problem.line()
    assert problem.field == "network_links[0].path" and problem.clause == "13.1.3"
    assert "not one link resource" in line and "VPCPeeringConnection" in line and "\n" not in line


def test_an_approval_of_the_link_itself_is_accepted():
    stack = new_stack()
    vpc = _vpc_with_a_peering(stack)
    approve_network_links(stack.node.root, [NetworkLink(path="Test/Vpc/ToPartner", reason=REASON)])
    assert any("ISO27017-NetworkLinkApproved" in str(entry.data)
               for entry in vpc.node.find_child("ToPartner").node.metadata)
