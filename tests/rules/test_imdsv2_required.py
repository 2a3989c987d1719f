from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2

from nag_rules import Status
from nag_rules.rules.imdsv2_required import RULE
from tests.helpers import evaluations_of, new_stack, only

IMAGE = ec2.MachineImage.latest_amazon_linux2023()


def _launch_configuration(stack, **options):
    return autoscaling.CfnLaunchConfiguration(
        stack, "Config", image_id="ami-12345678", instance_type="t3.small",
        metadata_options=autoscaling.CfnLaunchConfiguration.MetadataOptionsProperty(**options) if options else None)


def _template(stack, **props):
    return ec2.LaunchTemplate(stack, "Template", machine_image=IMAGE, instance_type=ec2.InstanceType("t3.small"),
                              **props)


def test_noncompliance_1_no_metadata_options():
    stack = new_stack()
    _template(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "IMDSv1 stays available" in evaluation.evidence


def test_noncompliance_2_tokens_optional():
    stack = new_stack()
    _template(stack, http_tokens=ec2.LaunchTemplateHttpTokens.OPTIONAL, http_put_response_hop_limit=1)
    assert "HttpTokens = optional" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_3_required_but_hop_limit_left_to_the_ami():
    stack = new_stack()
    _template(stack, require_imdsv2=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "HttpPutResponseHopLimit = (absent" in evaluation.evidence


def test_noncompliance_4_instance_without_launch_template():
    stack = new_stack()
    ec2.CfnInstance(stack, "Instance", image_id="ami-12345678", instance_type="t3.small")
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_compliance_1_required_with_hop_limit_1():
    stack = new_stack()
    _template(stack, require_imdsv2=True, http_put_response_hop_limit=1)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.endswith("HttpTokens = required; HttpPutResponseHopLimit = 1")


def test_compliance_2_instance_through_its_launch_template():
    stack = new_stack()
    template = ec2.CfnLaunchTemplate(stack, "Template", launch_template_data={
        "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1}})
    ec2.CfnInstance(stack, "Instance", image_id="ami-12345678", launch_template={
        "launchTemplateId": template.ref, "version": template.attr_latest_version_number})
    statuses = {e.resource.type: e.status for e in evaluations_of(stack, RULE)}
    assert statuses == {"AWS::EC2::Instance": Status.COMPLIANT, "AWS::EC2::LaunchTemplate": Status.COMPLIANT}


def test_noncompliance_5_instance_through_a_weak_launch_template():
    stack = new_stack()
    template = ec2.CfnLaunchTemplate(stack, "Template", launch_template_data={
        "metadataOptions": {"httpTokens": "optional"}})
    ec2.CfnInstance(stack, "Instance", image_id="ami-12345678", launch_template={
        "launchTemplateId": template.ref, "version": template.attr_latest_version_number})
    statuses = {e.resource.type: e.status for e in evaluations_of(stack, RULE)}
    assert statuses == {"AWS::EC2::Instance": Status.VIOLATED, "AWS::EC2::LaunchTemplate": Status.VIOLATED}


def test_noncompliance_6_instance_through_a_launch_template_outside_the_app():
    stack = new_stack()
    ec2.CfnInstance(stack, "Instance", launch_template={"launchTemplateId": "lt-0123456789abcdef0", "version": "1"})
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "outside this app" in evaluation.evidence


def test_noncompliance_7_launch_configuration_without_metadata_options():
    stack = new_stack()
    _launch_configuration(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "Test/Config: no MetadataOptions, so IMDSv1 stays available"


def test_noncompliance_8_launch_configuration_tokens_optional():
    stack = new_stack()
    _launch_configuration(stack, http_tokens="optional", http_put_response_hop_limit=1)
    assert "HttpTokens = optional" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_9_launch_configuration_hop_limit_2():
    stack = new_stack()
    _launch_configuration(stack, http_tokens="required", http_put_response_hop_limit=2)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "HttpPutResponseHopLimit = 2" in evaluation.evidence


def test_compliance_3_launch_configuration_required_with_hop_limit_1():
    stack = new_stack()
    _launch_configuration(stack, http_tokens="required", http_put_response_hop_limit=1)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "Test/Config: HttpTokens = required; HttpPutResponseHopLimit = 1"
