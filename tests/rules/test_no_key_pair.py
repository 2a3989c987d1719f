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
    assert evaluation.evidence.startswith("KeyName = operators")


def test_noncompliance_2_instance_with_key_name():
    stack = new_stack()
    ec2.CfnInstance(stack, "Instance", image_id="ami-12345678", key_name="operators")
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_compliance_1_no_key():
    stack = new_stack()
    ec2.LaunchTemplate(stack, "Template", machine_image=IMAGE)
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT
