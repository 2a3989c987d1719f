import aws_cdk as cdk
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms

from nag_rules import Status
from nag_rules.rules.ebs_encrypted import RULE
from tests.helpers import evaluations_of, new_stack, only

IMAGE = ec2.MachineImage.latest_amazon_linux2023()


def _template(stack, volume=None, device="/dev/xvda", *more):
    devices = [ec2.BlockDevice(device_name=device, volume=volume)] if volume else None
    return ec2.LaunchTemplate(stack, "Template", machine_image=IMAGE, instance_type=ec2.InstanceType("t3.small"),
                              block_devices=devices and [*devices, *more])


def _encrypted(stack):
    return ec2.BlockDeviceVolume.ebs(20, encrypted=True, kms_key=kms.Key(stack, "Key", enable_key_rotation=True))


def _launch_configuration(stack, *mappings):
    return autoscaling.CfnLaunchConfiguration(
        stack, "Config", image_id="ami-12345678", instance_type="t3.small",
        block_device_mappings=[autoscaling.CfnLaunchConfiguration.BlockDeviceMappingProperty(
            device_name=device, ebs=autoscaling.CfnLaunchConfiguration.BlockDeviceProperty(
                volume_size=20, encrypted=encrypted)) for device, encrypted in mappings] or None)


def test_noncompliance_1_no_block_device_mapping():
    stack = new_stack()
    _template(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "depends on the AMI" in evaluation.evidence


def test_noncompliance_2_unencrypted_root_volume():
    stack = new_stack()
    _template(stack, ec2.BlockDeviceVolume.ebs(20, encrypted=False))
    assert "/dev/xvda (root): Encrypted = false" in only(evaluations_of(stack, RULE)).evidence


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


def test_noncompliance_5_only_a_data_volume_leaves_the_root_device_unknown():
    stack = new_stack()
    _template(stack, _encrypted(stack), "/dev/sdf")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "root device of the image unknown; map it explicitly" in evaluation.evidence


def test_noncompliance_6_unencrypted_data_volume_beside_an_encrypted_root():
    stack = new_stack()
    _template(stack, _encrypted(stack), "/dev/xvda",
              ec2.BlockDevice(device_name="/dev/sdf", volume=ec2.BlockDeviceVolume.ebs(50)))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "/dev/sdf: Encrypted = (absent)" in evaluation.evidence


def test_noncompliance_7_deploy_time_mapping_beside_an_encrypted_root():
    stack = new_stack()
    template = _template(stack, _encrypted(stack))
    condition = cdk.CfnCondition(stack, "Extra", expression=cdk.Fn.condition_equals("a", "b"))
    template.node.default_child.add_property_override(
        "LaunchTemplateData.BlockDeviceMappings.1",
        cdk.Fn.condition_if(condition.logical_id, {"DeviceName": "/dev/sdf", "Ebs": {"VolumeSize": 5}},
                            cdk.Aws.NO_VALUE))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "block device mapping" in evaluation.evidence


def test_noncompliance_8_instance_through_a_launch_template_outside_the_app():
    stack = new_stack()
    ec2.CfnInstance(stack, "Instance", launch_template={"launchTemplateId": "lt-0123456789abcdef0", "version": "1"})
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "outside this app" in evaluation.evidence


def test_noncompliance_9_launch_configuration_without_mappings():
    stack = new_stack()
    _launch_configuration(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "no BlockDeviceMappings" in evaluation.evidence


def test_noncompliance_10_launch_configuration_with_an_unencrypted_root():
    stack = new_stack()
    _launch_configuration(stack, ("/dev/xvda", False))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "/dev/xvda (root): Encrypted = false" in evaluation.evidence


def test_noncompliance_11_launch_configuration_cannot_name_a_customer_managed_key():
    # AWS::AutoScaling::LaunchConfiguration has no KmsKeyId: no launch configuration can comply.
    stack = new_stack()
    _launch_configuration(stack, ("/dev/xvda", True))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "cannot name a KMS key" in evaluation.evidence


def test_compliance_1_customer_managed_key():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    _template(stack, ec2.BlockDeviceVolume.ebs(20, encrypted=True, kms_key=key))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "/dev/xvda (root): Encrypted = true; KmsKeyId = Test/Key/Resource (customer managed)" in evaluation.evidence


def test_compliance_2_volume_with_customer_managed_key():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    ec2.CfnVolume(stack, "Volume", availability_zone="ap-northeast-1a", size=10, encrypted=True, kms_key_id=key.key_arn)
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT


def test_compliance_3_ubuntu_root_and_a_data_volume_both_encrypted():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    _template(stack, ec2.BlockDeviceVolume.ebs(20, encrypted=True, kms_key=key), "/dev/sda1",
              ec2.BlockDevice(device_name="/dev/sdf", volume=ec2.BlockDeviceVolume.ebs(50, encrypted=True,
                                                                                      kms_key=key)))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "/dev/sda1 (root): Encrypted = true" in evaluation.evidence
    assert "/dev/sdf: Encrypted = true" in evaluation.evidence


def test_compliance_4_instance_through_its_launch_template():
    stack = new_stack()
    template = _template(stack, _encrypted(stack))
    ec2.CfnInstance(stack, "Instance", launch_template={
        "launchTemplateId": template.launch_template_id, "version": template.latest_version_number})
    statuses = {e.resource.type: e.status for e in evaluations_of(stack, RULE)}
    assert statuses == {"AWS::EC2::Instance": Status.COMPLIANT, "AWS::EC2::LaunchTemplate": Status.COMPLIANT}
