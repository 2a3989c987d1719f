from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2

from nag_rules import Status
from nag_rules.rules.no_public_ip import RULE
from tests.helpers import evaluations_of, new_stack, only

IMAGE = ec2.MachineImage.latest_amazon_linux2023()


def _vpc(stack, public_ip: bool):
    return ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, map_public_ip_on_launch=public_ip)])


def _group(stack, vpc, **template_props):
    template = ec2.LaunchTemplate(stack, "Template", machine_image=IMAGE, instance_type=ec2.InstanceType("t3.small"),
                                  security_group=ec2.SecurityGroup(stack, "Group", vpc=vpc), **template_props)
    autoscaling.AutoScalingGroup(stack, "Servers", vpc=vpc, launch_template=template,
                                 vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC))
    return template


def test_noncompliance_1_template_asks_for_a_public_ip():
    stack = new_stack()
    _group(stack, _vpc(stack, False), associate_public_ip_address=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "AssociatePublicIpAddress = true"


def test_noncompliance_2_group_launches_into_subnets_that_map_public_ips():
    stack = new_stack()
    _group(stack, _vpc(stack, True))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "map a public IP on launch" in evaluation.evidence


def test_compliance_1_explicitly_no_public_ip():
    stack = new_stack()
    _group(stack, _vpc(stack, True), associate_public_ip_address=False)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "AssociatePublicIpAddress = false on every network interface"


def test_compliance_2_subnets_that_do_not_map_public_ips():
    stack = new_stack()
    _group(stack, _vpc(stack, False))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "MapPublicIpOnLaunch = false" in evaluation.evidence
