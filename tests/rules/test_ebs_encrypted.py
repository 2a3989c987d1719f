from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms

from nag_rules import Status
from nag_rules.rules.ebs_encrypted import RULE
from tests.helpers import evaluations_of, new_stack, only

IMAGE = ec2.MachineImage.latest_amazon_linux2023()


def _template(stack, volume=None):
    devices = [ec2.BlockDevice(device_name="/dev/xvda", volume=volume)] if volume else None
    return ec2.LaunchTemplate(stack, "Template", machine_image=IMAGE, instance_type=ec2.InstanceType("t3.small"),
                              block_devices=devices)


def test_noncompliance_1_no_block_device_mapping():
    stack = new_stack()
    _template(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "depends on the AMI" in evaluation.evidence


def test_noncompliance_2_unencrypted_root_volume():
    stack = new_stack()
    _template(stack, ec2.BlockDeviceVolume.ebs(20, encrypted=False))
    assert "Encrypted = false" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_3_encrypted_with_the_aws_managed_key():
    stack = new_stack()
    _template(stack, ec2.BlockDeviceVolume.ebs(20, encrypted=True))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "aws/ebs" in evaluation.evidence


def test_noncompliance_4_unencrypted_volume():
    stack = new_stack()
    ec2.CfnVolume(stack, "Volume", availability_zone="ap-northeast-1a", size=10)
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_compliance_1_customer_managed_key():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    _template(stack, ec2.BlockDeviceVolume.ebs(20, encrypted=True, kms_key=key))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "KmsKeyId = Test/Key/Resource (customer managed)" in evaluation.evidence


def test_compliance_2_volume_with_customer_managed_key():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    ec2.CfnVolume(stack, "Volume", availability_zone="ap-northeast-1a", size=10, encrypted=True, kms_key_id=key.key_arn)
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT
