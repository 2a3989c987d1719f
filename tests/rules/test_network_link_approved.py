import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ram as ram

from config import ConfigurationError
from config.settings import NetworkLink
from nag_rules import Status
from nag_rules.rules.network_link_approved import RULE
from stacks.approvals import approve_network_links
from tests.helpers import evaluations_of, new_stack, only

REASON = "The school board's network reaches the reporting API only through this peering."


def _vpc(stack, **props):
    return ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)], **props)


def _client_vpn(stack):
    return ec2.ClientVpnEndpoint(
        stack, "ClientVpn", vpc=_vpc(stack), cidr="10.100.0.0/16",
        server_certificate_arn="arn:aws:acm:ap-northeast-1:123456789012:certificate/server",
        client_certificate_arn="arn:aws:acm:ap-northeast-1:123456789012:certificate/client")


def _endpoint_service(stack):
    nlb = elbv2.NetworkLoadBalancer(stack, "Nlb", vpc=_vpc(stack))
    return ec2.VpcEndpointService(stack, "ForPartner", vpc_endpoint_service_load_balancers=[nlb],
                                  allowed_principals=[iam.ArnPrincipal("arn:aws:iam::210987654321:root")])


def _subnet_share(stack):
    subnet = _vpc(stack).isolated_subnets[0]
    return ram.CfnResourceShare(stack, "SharedSubnets", name="data-subnets", principals=["210987654321"],
                                resource_arns=[f"arn:aws:ec2:ap-northeast-1:123456789012:subnet/{subnet.subnet_id}"])


def _transit_peering(stack):
    return ec2.CfnTransitGatewayPeeringAttachment(stack, "ToPartnerTgw", transit_gateway_id="tgw-0123456789abcdef0",
                                                  peer_transit_gateway_id="tgw-0fedcba9876543210",
                                                  peer_account_id="210987654321", peer_region="ap-northeast-3")


NEW_LINKS = [
    (_client_vpn, "Test/ClientVpn", "AWS::EC2::ClientVpnEndpoint toward ClientCidrBlock = 10.100.0.0/16"),
    (_endpoint_service, "Test/ForPartner/ForPartner", 'AllowedPrincipals = ["arn:aws:iam::210987654321:root"]'),
    (_subnet_share, "Test/SharedSubnets", 'AWS::RAM::ResourceShare toward Principals = ["210987654321"]'),
    (_transit_peering, "Test/ToPartnerTgw", "PeerTransitGatewayId = tgw-0fedcba9876543210"),
]


def _peering(stack):
    vpc = _vpc(stack)
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


@pytest.mark.parametrize(("build", "path", "evidence"), NEW_LINKS, ids=[p for _, p, _ in NEW_LINKS])
def test_noncompliance_3_client_vpn_privatelink_service_resource_share_transit_peering(build, path, evidence):
    stack = new_stack()
    build(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.resource.path in (path, f"{path}/Resource")
    assert evidence in evaluation.evidence


def test_noncompliance_4_virtual_private_gateway_and_its_route_propagation():
    stack = new_stack()
    _vpc(stack, vpn_gateway=True)
    evaluations = {e.resource.type: e for e in evaluations_of(stack, RULE)}
    assert set(evaluations) == {"AWS::EC2::VPNGateway", "AWS::EC2::VPNGatewayRoutePropagation"}
    assert {e.status for e in evaluations.values()} == {Status.VIOLATED}
    assert "toward VpnGatewayId = " in evaluations["AWS::EC2::VPNGatewayRoutePropagation"].evidence


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


@pytest.mark.parametrize(("build", "path", "evidence"), NEW_LINKS, ids=[p for _, p, _ in NEW_LINKS])
def test_compliance_3_new_link_types_listed_in_configuration_are_acknowledged(build, path, evidence):
    stack = new_stack()
    build(stack)
    approve_network_links(stack.node.root, [NetworkLink(path=path, reason=REASON)])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.ACKNOWLEDGED
    assert evaluation.acknowledgement.reason == REASON


def test_compliance_4_vpn_gateway_listed_in_configuration_is_acknowledged_with_its_propagation():
    stack = new_stack()
    _vpc(stack, vpn_gateway=True)
    approve_network_links(stack.node.root, [NetworkLink(path="Test/Vpc/VpnGateway", reason=REASON),
                                            NetworkLink(path="Test/Vpc/RoutePropagation", reason=REASON)])
    assert {e.status for e in evaluations_of(stack, RULE)} == {Status.ACKNOWLEDGED}


def test_a_configured_path_that_names_nothing_is_a_configuration_error():
    stack = new_stack()
    with pytest.raises(ConfigurationError) as caught:
        approve_network_links(stack.node.root, [NetworkLink(path="Test/Nowhere", reason=REASON)])
    (problem,) = caught.value.problems
    assert problem.field == "network_links[0].path" and problem.clause == "13.1.3"
    assert isinstance(stack, cdk.Stack)
