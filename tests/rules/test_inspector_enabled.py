import aws_cdk as cdk
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2
from aws_cdk import custom_resources as cr

from nag_rules import Status
from nag_rules.rules.inspector_enabled import RULE
from tests.helpers import TOKYO, evaluations_of, new_stack, only


def _servers(stack: cdk.Stack) -> autoscaling.AutoScalingGroup:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="App", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    template = ec2.LaunchTemplate(stack, "Template", machine_image=ec2.MachineImage.latest_amazon_linux2023(),
                                  instance_type=ec2.InstanceType("t3.small"))
    return autoscaling.AutoScalingGroup(stack, "Servers", vpc=vpc, launch_template=template)


def _inspector(stack: cdk.Stack, action: str = "enable", resource_types=("EC2", "ECR"), **calls) -> None:
    call = cr.AwsSdkCall(service="Inspector2", action=action, parameters={"resourceTypes": list(resource_types)},
                         physical_resource_id=cr.PhysicalResourceId.of("inspector2"))
    cr.AwsCustomResource(stack, "Inspector", on_create=call, install_latest_aws_sdk=False,
                         policy=cr.AwsCustomResourcePolicy.from_sdk_calls(
                             resources=cr.AwsCustomResourcePolicy.ANY_RESOURCE), **calls)


def test_noncompliance_1_nothing_enables_inspector():
    stack = new_stack()
    _servers(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("nothing enables Amazon Inspector EC2 scanning in "
                                          "aws://123456789012/ap-northeast-1")


def test_noncompliance_2_only_container_images_scanned():
    stack = new_stack()
    _servers(stack)
    _inspector(stack, resource_types=("ECR",))
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_3_deleting_the_stack_disables_scanning():
    stack = new_stack()
    _servers(stack)
    _inspector(stack, on_delete=cr.AwsSdkCall(service="Inspector2", action="disable",
                                              parameters={"resourceTypes": ["EC2"]}))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("Amazon Inspector EC2 scanning is turned off again by "
                                   "Test/Inspector/Resource/Default (Delete disables EC2)")


def test_noncompliance_4_enabled_in_another_region_does_not_count():
    stack = new_stack()
    _servers(stack)
    _inspector(cdk.Stack(stack.node.scope, "Virginia", env=cdk.Environment(account="123456789012",
                                                                           region="us-east-1")))
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_5_call_holding_a_parameter_is_unresolved():
    stack = new_stack()
    _servers(stack)
    _inspector(stack, resource_types=(cdk.CfnParameter(stack, "ScanType").value_as_string,))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert evaluation.evidence.startswith("Test/Inspector/Resource/Default: Create = ")


def test_compliance_1_enabled_from_another_stack_of_the_account_and_region():
    stack = new_stack()
    _servers(stack)
    _inspector(cdk.Stack(stack.node.scope, "Security", env=TOKYO))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("Amazon Inspector scans EC2 in aws://123456789012/ap-northeast-1: enabled by "
                                   "Security/Inspector/Resource/Default (Inspector2 enable, resourceTypes EC2, ECR)")


def test_compliance_2_standalone_instance():
    stack = new_stack()
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="App", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    ec2.Instance(stack, "Server", vpc=vpc, instance_type=ec2.InstanceType("t3.small"),
                 machine_image=ec2.MachineImage.latest_amazon_linux2023())
    _inspector(stack, resource_types=("EC2",))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.resource.type == "AWS::EC2::Instance"
