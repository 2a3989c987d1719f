import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2

from nag_rules import Status
from nag_rules.rules.security_group_world_ingress import RULE
from tests.helpers import evaluations_of, new_stack, only


def _vpc(stack):
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, map_public_ip_on_launch=False)])


def _balancer(stack, vpc, group, internet_facing=True):
    elbv2.ApplicationLoadBalancer(stack, "Balancer", vpc=vpc, internet_facing=internet_facing, security_group=group)


def test_noncompliance_1_server_group_open_to_the_world():
    stack = new_stack()
    group = ec2.SecurityGroup(stack, "Servers", vpc=_vpc(stack))
    group.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(8080))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("tcp/8080 from 0.0.0.0/0 (Test/Servers/Resource): open to the internet")


def test_noncompliance_2_load_balancer_open_on_another_port():
    stack = new_stack()
    vpc = _vpc(stack)
    group = ec2.SecurityGroup(stack, "Entry", vpc=vpc, allow_all_outbound=False)
    group.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443))
    group.add_ingress_rule(ec2.Peer.any_ipv6(), ec2.Port.tcp(8443))
    _balancer(stack, vpc, group)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "tcp/8443 from ::/0" in evaluation.evidence


def test_noncompliance_3_internal_load_balancer_open_to_the_world():
    stack = new_stack()
    vpc = _vpc(stack)
    group = ec2.SecurityGroup(stack, "Entry", vpc=vpc, allow_all_outbound=False)
    group.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443))
    _balancer(stack, vpc, group, internet_facing=False)
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_4_standalone_ingress_rule_is_counted():
    stack = new_stack()
    group = ec2.SecurityGroup(stack, "Servers", vpc=_vpc(stack))
    ec2.CfnSecurityGroupIngress(stack, "Open", group_id=group.security_group_id, ip_protocol="-1", cidr_ip="0.0.0.0/0")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "all ports from 0.0.0.0/0" in evaluation.evidence


def test_noncompliance_5_halves_of_the_internet_count_as_the_internet():
    stack = new_stack()
    group = ec2.SecurityGroup(stack, "Servers", vpc=_vpc(stack))
    group.add_ingress_rule(ec2.Peer.ipv4("0.0.0.0/1"), ec2.Port.tcp(8080))
    group.add_ingress_rule(ec2.Peer.ipv4("128.0.0.0/1"), ec2.Port.tcp(8080))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "tcp/8080 from 0.0.0.0/1" in evaluation.evidence


def test_noncompliance_6_load_balancer_group_shared_with_a_server():
    stack = new_stack()
    vpc = _vpc(stack)
    group = ec2.SecurityGroup(stack, "Entry", vpc=vpc, allow_all_outbound=False)
    group.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443))
    _balancer(stack, vpc, group)
    ec2.Instance(stack, "Server", vpc=vpc, security_group=group, instance_type=ec2.InstanceType("t3.micro"),
                 machine_image=ec2.MachineImage.latest_amazon_linux2023())
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "not used by internet-facing load balancers only" in evaluation.evidence


def test_noncompliance_7_standalone_rule_on_the_default_group():
    stack = new_stack()
    vpc = _vpc(stack)
    ec2.CfnSecurityGroupIngress(stack, "Open", group_id=vpc.vpc_default_security_group, ip_protocol="tcp",
                                from_port=8080, to_port=8080, cidr_ip="0.0.0.0/0")
    (evaluation,) = [e for e in evaluations_of(stack, RULE) if e.resource.path == "Test/Open"]
    assert evaluation.status is Status.VIOLATED
    assert "the default security group of Test/Vpc/Resource" in evaluation.evidence


def test_unresolved_1_scheme_known_only_at_deploy_time():
    stack = new_stack()
    vpc = _vpc(stack)
    group = ec2.SecurityGroup(stack, "Entry", vpc=vpc, allow_all_outbound=False)
    group.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443))
    _balancer(stack, vpc, group)
    scheme = cdk.CfnParameter(stack, "Scheme", type="String")
    stack.node.find_child("Balancer").node.default_child.add_property_override("Scheme", scheme.value_as_string)
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def test_compliance_1_internet_facing_load_balancer_on_443_and_80():
    stack = new_stack()
    vpc = _vpc(stack)
    group = ec2.SecurityGroup(stack, "Entry", vpc=vpc, allow_all_outbound=False)
    group.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443))
    group.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(80))
    _balancer(stack, vpc, group)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "used only by internet-facing load balancer Test/Balancer/Resource" in evaluation.evidence


def test_compliance_2_only_peer_groups():
    stack = new_stack()
    vpc = _vpc(stack)
    front = ec2.SecurityGroup(stack, "Front", vpc=vpc)
    back = ec2.SecurityGroup(stack, "Back", vpc=vpc)
    back.connections.allow_from(front, ec2.Port.tcp(8080))
    statuses = {e.resource.path: (e.status, e.evidence) for e in evaluations_of(stack, RULE)}
    assert statuses["Test/Back/Resource"] == (Status.COMPLIANT, "ingress: tcp/8080 from sg:Test/Front/Resource")
