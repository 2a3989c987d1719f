import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2

from constructs_lib.servers import TIME_SYNC_COMMANDS
from nag_rules import Status
from nag_rules.rules.user_data_time_sync import RULE
from tests.helpers import evaluations_of, new_stack, only

IMAGE = ec2.MachineImage.latest_amazon_linux2023()


def _template(stack, *commands):
    user_data = ec2.UserData.for_linux()
    user_data.add_commands(*commands)
    return ec2.LaunchTemplate(stack, "Template", machine_image=IMAGE, user_data=user_data)


def test_noncompliance_1_no_user_data():
    stack = new_stack()
    ec2.CfnLaunchTemplate(stack, "Template", launch_template_data={"imageId": "ami-12345678"})
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_2_user_data_without_the_chrony_line():
    stack = new_stack()
    _template(stack, "dnf -y update")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "does not contain" in evaluation.evidence


def test_noncompliance_3_deploy_time_user_data_is_unresolved():
    stack = new_stack()
    parameter = cdk.CfnParameter(stack, "Script", type="String")
    _template(stack, parameter.value_as_string)
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def test_compliance_1_chrony_line_written():
    stack = new_stack()
    _template(stack, *TIME_SYNC_COMMANDS)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "server 169.254.169.123 prefer iburst minpoll 4 maxpoll 4" in evaluation.evidence


def test_compliance_2_chrony_line_beside_deploy_time_values():
    stack = new_stack()
    parameter = cdk.CfnParameter(stack, "Environment", type="String")
    _template(stack, f"echo {parameter.value_as_string} > /etc/environment-name", *TIME_SYNC_COMMANDS)
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT
