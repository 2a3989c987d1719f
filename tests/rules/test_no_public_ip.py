import aws_cdk as cdk
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


def _launch_configuration(stack, vpc=None, **props):
    config = autoscaling.CfnLaunchConfiguration(stack, "Config", image_id="ami-12345678", instance_type="t3.small",
                                                **props)
    if vpc is not None:
        autoscaling.CfnAutoScalingGroup(stack, "Servers", min_size="1", max_size="1",
                                        launch_configuration_name=config.ref,
                                        vpc_zone_identifier=[s.subnet_id for s in vpc.public_subnets])
    return config


def test_noncompliance_1_template_asks_for_a_public_ip():
    stack = new_stack()
    _group(stack, _vpc(stack, False), associate_public_ip_address=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "Test/Template/Resource: AssociatePublicIpAddress = true"


def test_noncompliance_2_group_launches_into_subnets_that_map_public_ips():
    stack = new_stack()
    _group(stack, _vpc(stack, True))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "map a public IP on launch" in evaluation.evidence


def test_noncompliance_3_second_group_through_a_mixed_instances_policy_into_public_subnets():
    stack = new_stack()
    template = _group(stack, _vpc(stack, False))
    public = ec2.CfnSubnet(stack, "PublicSubnet", vpc_id="vpc-12345678", cidr_block="10.1.0.0/24",
                           map_public_ip_on_launch=True)
    autoscaling.CfnAutoScalingGroup(stack, "Mixed", min_size="1", max_size="1", vpc_zone_identifier=[public.ref],
                                    mixed_instances_policy={"launchTemplate": {"launchTemplateSpecification": {
                                        "launchTemplateId": template.launch_template_id, "version": "1"}}})
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "Test/PublicSubnet, which map a public IP on launch" in evaluation.evidence


def test_noncompliance_4_group_without_subnets_uses_default_subnets():
    stack = new_stack()
    template = ec2.CfnLaunchTemplate(stack, "Template", launch_template_data={"imageId": "ami-12345678"})
    autoscaling.CfnAutoScalingGroup(stack, "Servers", min_size="1", max_size="1",
                                    availability_zones=["ap-northeast-1a"],
                                    launch_template={"launchTemplateId": template.ref, "version": "1"})
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "default subnet" in evaluation.evidence


def test_noncompliance_5_subnet_setting_known_only_at_deploy_time():
    stack = new_stack()
    parameter = cdk.CfnParameter(stack, "MapPublic", type="String")
    subnet = ec2.CfnSubnet(stack, "Subnet", vpc_id="vpc-12345678", cidr_block="10.1.0.0/24")
    subnet.add_property_override("MapPublicIpOnLaunch", parameter.value_as_string)
    ec2.CfnInstance(stack, "Instance", image_id="ami-12345678", subnet_id=subnet.ref)
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def test_noncompliance_6_instance_with_an_elastic_ip():
    stack = new_stack()
    subnet = ec2.CfnSubnet(stack, "Subnet", vpc_id="vpc-12345678", cidr_block="10.1.0.0/24")
    instance = ec2.CfnInstance(stack, "Instance", image_id="ami-12345678", subnet_id=subnet.ref)
    ec2.CfnEIP(stack, "Address", instance_id=instance.ref)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "Test/Instance gets an Elastic IP from Test/Address"


def test_noncompliance_7_instance_through_a_launch_template_outside_the_app():
    stack = new_stack()
    ec2.CfnInstance(stack, "Instance", launch_template={"launchTemplateId": "lt-0123456789abcdef0", "version": "1"})
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "outside this app" in evaluation.evidence


def test_noncompliance_8_network_interfaces_known_only_at_deploy_time():
    stack = new_stack()
    condition = cdk.CfnCondition(stack, "Public", expression=cdk.Fn.condition_equals("a", "b"))
    ec2.CfnLaunchTemplate(stack, "Template", launch_template_data={"networkInterfaces": cdk.Fn.condition_if(
        condition.logical_id, [{"DeviceIndex": 0, "AssociatePublicIpAddress": True}], cdk.Aws.NO_VALUE)})
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def test_noncompliance_9_launch_configuration_asks_for_a_public_ip():
    stack = new_stack()
    _launch_configuration(stack, _vpc(stack, False), associate_public_ip_address=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "Test/Config: AssociatePublicIpAddress = true"


def test_noncompliance_10_launch_configuration_group_in_subnets_that_map_public_ips():
    stack = new_stack()
    _launch_configuration(stack, _vpc(stack, True))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "Test/Servers launch into Test/Vpc/PublicSubnet1/Subnet" in evaluation.evidence


def test_compliance_1_explicitly_no_public_ip():
    stack = new_stack()
    _group(stack, _vpc(stack, True), associate_public_ip_address=False)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "Test/Template/Resource: AssociatePublicIpAddress = false on every network interface"


def test_compliance_2_subnets_that_do_not_map_public_ips():
    stack = new_stack()
    _group(stack, _vpc(stack, False))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "Test/Servers/ASG launch only into Test/Vpc/PublicSubnet1/Subnet" in evaluation.evidence
    assert "MapPublicIpOnLaunch = false" in evaluation.evidence


def test_compliance_3_launch_configuration_explicitly_no_public_ip():
    stack = new_stack()
    _launch_configuration(stack, _vpc(stack, True), associate_public_ip_address=False)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "Test/Config: AssociatePublicIpAddress = false"


def test_compliance_4_launch_configuration_group_in_subnets_that_do_not_map_public_ips():
    stack = new_stack()
    _launch_configuration(stack, _vpc(stack, False))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "Test/Servers launch only into Test/Vpc/PublicSubnet1/Subnet" in evaluation.evidence
