import aws_cdk as cdk
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2

from constructs_lib.servers import TIME_SYNC_COMMANDS
from nag_rules import Status
from nag_rules.rules.user_data_time_sync import RULE
from tests.helpers import evaluations_of, new_stack, only

IMAGE = ec2.MachineImage.latest_amazon_linux2023()
SOURCE = "server 169.254.169.123 prefer iburst minpoll 4 maxpoll 4"


def _user_data(*commands):
    user_data = ec2.UserData.for_linux()
    user_data.add_commands(*commands)
    return user_data


def _template(stack, *commands):
    return ec2.LaunchTemplate(stack, "Template", machine_image=IMAGE, user_data=_user_data(*commands))


def _launch_configuration(stack, *commands):
    return autoscaling.CfnLaunchConfiguration(
        stack, "Config", image_id="ami-12345678", instance_type="t3.small",
        user_data=cdk.Fn.base64(_user_data(*commands).render()) if commands else None)


def test_noncompliance_1_no_user_data():
    stack = new_stack()
    ec2.CfnLaunchTemplate(stack, "Template", launch_template_data={"imageId": "ami-12345678"})
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_2_user_data_without_the_chrony_line():
    stack = new_stack()
    _template(stack, "dnf -y update")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "has no uncommented line" in evaluation.evidence


def test_noncompliance_3_deploy_time_user_data_is_unresolved():
    stack = new_stack()
    parameter = cdk.CfnParameter(stack, "Script", type="String")
    _template(stack, parameter.value_as_string)
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def test_noncompliance_4_commented_out_line():
    stack = new_stack()
    _template(stack, f"# {TIME_SYNC_COMMANDS[0]}", TIME_SYNC_COMMANDS[1])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "lines mentioning 169.254.169.123: 2" in evaluation.evidence


def test_noncompliance_5_commented_out_line_in_a_heredoc():
    stack = new_stack()
    _template(stack, "cat > /etc/chrony.d/time-sync.sources <<'EOF'", f"# {SOURCE}", "EOF")
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_6_maxpoll_40():
    stack = new_stack()
    _template(stack, f"echo '{SOURCE}0' > /etc/chrony.d/amazon-time-sync.sources")
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_7_deploy_time_value_spliced_into_the_line():
    stack = new_stack()
    parameter = cdk.CfnParameter(stack, "Options", type="String")
    _template(stack, "echo 'server 169.254.169.123 prefer iburst " + parameter.value_as_string
              + "minpoll 4 maxpoll 4' > /etc/chrony.d/amazon-time-sync.sources")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "no whole literal line" in evaluation.evidence


def test_noncompliance_8_deploy_time_value_before_the_line_in_a_heredoc():
    stack = new_stack()
    parameter = cdk.CfnParameter(stack, "Extra", type="String")
    _template(stack, "cat > /etc/chrony.conf <<'EOF'", parameter.value_as_string, SOURCE, "EOF")
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def test_noncompliance_9_line_not_written_to_a_chrony_file():
    stack = new_stack()
    _template(stack, f"echo '{SOURCE}' > /tmp/chrony.conf", f"echo '{SOURCE}' > /etc/chrony.d/../profile")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "chrony configuration file" in evaluation.evidence


def test_noncompliance_10_echo_inside_a_heredoc_for_another_file():
    stack = new_stack()
    _template(stack, "cat > /opt/later.sh <<'EOF'", TIME_SYNC_COMMANDS[0], "EOF")
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_11_continuation_of_the_line_before():
    stack = new_stack()
    _template(stack, "true \\", TIME_SYNC_COMMANDS[0])
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_12_not_a_shell_script():
    stack = new_stack()
    ec2.LaunchTemplate(stack, "Template", machine_image=IMAGE,
                       user_data=ec2.UserData.custom(f"#cloud-config\n{TIME_SYNC_COMMANDS[0]}\n"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "not a shell script" in evaluation.evidence


def test_noncompliance_13_launch_configuration_without_user_data():
    stack = new_stack()
    _launch_configuration(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "Test/Config: UserData absent" in evaluation.evidence


def test_noncompliance_14_instance_through_a_launch_template_outside_the_app():
    stack = new_stack()
    ec2.CfnInstance(stack, "Instance", launch_template={"launchTemplateId": "lt-0123456789abcdef0", "version": "1"})
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def test_compliance_1_chrony_line_written():
    stack = new_stack()
    _template(stack, *TIME_SYNC_COMMANDS)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.endswith(f"UserData line 2 writes '{SOURCE}' to /etc/chrony.d/amazon-time-sync.sources")


def test_compliance_2_chrony_line_beside_deploy_time_values():
    stack = new_stack()
    parameter = cdk.CfnParameter(stack, "Environment", type="String")
    _template(stack, f"echo {parameter.value_as_string} > /etc/environment-name", *TIME_SYNC_COMMANDS)
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT


def test_compliance_3_config_line_in_a_heredoc():
    stack = new_stack()
    _template(stack, "cat > /etc/chrony.d/time-sync.sources <<'EOF'", f"  {SOURCE}", "EOF", "chronyc reload sources")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "line 3" in evaluation.evidence and "/etc/chrony.d/time-sync.sources" in evaluation.evidence


def test_compliance_4_launch_configuration():
    stack = new_stack()
    _launch_configuration(stack, "set -euo pipefail", *TIME_SYNC_COMMANDS)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.startswith("Test/Config: UserData line 3 writes")


def test_compliance_5_instance_through_its_launch_template():
    stack = new_stack()
    template = _template(stack, *TIME_SYNC_COMMANDS)
    ec2.CfnInstance(stack, "Instance", launch_template={
        "launchTemplateId": template.launch_template_id, "version": template.latest_version_number})
    statuses = {e.resource.type: e.status for e in evaluations_of(stack, RULE)}
    assert statuses == {"AWS::EC2::Instance": Status.COMPLIANT, "AWS::EC2::LaunchTemplate": Status.COMPLIANT}
