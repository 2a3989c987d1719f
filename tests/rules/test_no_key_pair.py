from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2

from nag_rules import Status
from nag_rules.rules.no_key_pair import RULE
from tests.helpers import evaluations_of, new_stack, only

IMAGE = ec2.MachineImage.latest_amazon_linux2023()


def test_noncompliance_1_launch_template_with_key_pair():
    stack = new_stack()
    ec2.LaunchTemplate(stack, "Template", machine_image=IMAGE,
                       key_pair=ec2.KeyPair.from_key_pair_name(stack, "Key", "operators"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("Test/Template/Resource: KeyName = operators")


def test_noncompliance_2_instance_with_key_name():
    stack = new_stack()
    ec2.CfnInstance(stack, "Instance", image_id="ami-12345678", key_name="operators")
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_3_instance_without_key_name_through_a_template_with_one():
    stack = new_stack()
    template = ec2.CfnLaunchTemplate(stack, "Template", launch_template_data={"keyName": "operators"})
    ec2.CfnInstance(stack, "Instance", launch_template={
        "launchTemplateId": template.ref, "version": template.attr_latest_version_number})
    statuses = {e.resource.type: e.status for e in evaluations_of(stack, RULE)}
    assert statuses == {"AWS::EC2::Instance": Status.VIOLATED, "AWS::EC2::LaunchTemplate": Status.VIOLATED}


def test_noncompliance_4_instance_through_a_launch_template_outside_the_app():
    stack = new_stack()
    ec2.CfnInstance(stack, "Instance", launch_template={"launchTemplateId": "lt-0123456789abcdef0", "version": "1"})
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "outside this app" in evaluation.evidence


def test_noncompliance_5_launch_configuration_with_key_name():
    stack = new_stack()
    autoscaling.CfnLaunchConfiguration(stack, "Config", image_id="ami-12345678", instance_type="t3.small",
                                       key_name="operators")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("Test/Config: KeyName = operators")


def test_noncompliance_6_launch_configuration_derived_from_an_instance_with_a_key():
    stack = new_stack()
    instance = ec2.CfnInstance(stack, "Instance", image_id="ami-12345678", key_name="operators")
    autoscaling.CfnLaunchConfiguration(stack, "Config", image_id="ami-12345678", instance_type="t3.small",
                                       instance_id=instance.ref)
    statuses = {e.resource.type: e.status for e in evaluations_of(stack, RULE)}
    assert statuses == {"AWS::EC2::Instance": Status.VIOLATED, "AWS::AutoScaling::LaunchConfiguration": Status.VIOLATED}


def test_compliance_1_no_key():
    stack = new_stack()
    ec2.LaunchTemplate(stack, "Template", machine_image=IMAGE)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "Test/Template/Resource: no KeyName, so no SSH key pair is installed"


def test_compliance_2_launch_configuration_without_key():
    stack = new_stack()
    autoscaling.CfnLaunchConfiguration(stack, "Config", image_id="ami-12345678", instance_type="t3.small")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.startswith("Test/Config: no KeyName")


def test_compliance_3_instance_through_a_template_without_key():
    stack = new_stack()
    template = ec2.CfnLaunchTemplate(stack, "Template", launch_template_data={"imageId": "ami-12345678"})
    ec2.CfnInstance(stack, "Instance", launch_template={
        "launchTemplateId": template.ref, "version": template.attr_latest_version_number})
    statuses = {e.resource.type: e.status for e in evaluations_of(stack, RULE)}
    assert statuses == {"AWS::EC2::Instance": Status.COMPLIANT, "AWS::EC2::LaunchTemplate": Status.COMPLIANT}
