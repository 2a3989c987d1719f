from aws_cdk import aws_ec2 as ec2

from nag_rules import Status
from nag_rules.rules.no_remote_admin_ingress import RULE
from tests.helpers import evaluations_of, new_stack, only


def _group(stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    return ec2.SecurityGroup(stack, "Servers", vpc=vpc)


def test_noncompliance_1_ssh_from_a_private_range():
    stack = new_stack()
    _group(stack).add_ingress_rule(ec2.Peer.ipv4("10.0.0.0/8"), ec2.Port.tcp(22))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("tcp/22 from 10.0.0.0/8 admits port 22")


def test_noncompliance_2_rdp_inside_a_port_range():
    stack = new_stack()
    _group(stack).add_ingress_rule(ec2.Peer.ipv4("10.0.0.0/8"), ec2.Port.tcp_range(3000, 4000))
    assert "port 3389" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_3_all_traffic_from_a_peer_group():
    stack = new_stack()
    group = _group(stack)
    group.connections.allow_internally(ec2.Port.all_traffic())
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_compliance_1_application_port_only():
    stack = new_stack()
    _group(stack).add_ingress_rule(ec2.Peer.ipv4("10.0.0.0/8"), ec2.Port.tcp(8080))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT


def test_noncompliance_4_rdp_over_udp_counts_too():
    stack = new_stack()
    _group(stack).add_ingress_rule(ec2.Peer.ipv4("10.0.0.0/8"), ec2.Port.udp(3389))
    assert "udp/3389" in only(evaluations_of(stack, RULE)).evidence


def test_compliance_2_no_ingress_at_all():
    stack = new_stack()
    _group(stack)
    assert only(evaluations_of(stack, RULE)).evidence == "no ingress rule admits port 22 (SSH) or 3389 (RDP)"


def test_noncompliance_5_ssh_opened_on_the_default_group():
    stack = new_stack()
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    ec2.CfnSecurityGroupIngress(stack, "Ssh", group_id=vpc.vpc_default_security_group, ip_protocol="tcp",
                                from_port=22, to_port=22, cidr_ip="10.0.0.0/8")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.resource.path == "Test/Ssh"
    assert evaluation.status is Status.VIOLATED
