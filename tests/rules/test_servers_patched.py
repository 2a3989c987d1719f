import aws_cdk as cdk
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ssm as ssm

from constructs_lib.posture import PatchManagement
from nag_rules import Status
from nag_rules.rules.servers_patched import RULE
from tests.helpers import TOKYO, evaluations_of, new_stack, only

Task = ssm.CfnMaintenanceWindowTask


def _servers(stack: cdk.Stack, image=None) -> autoscaling.AutoScalingGroup:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="App", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    template = ec2.LaunchTemplate(stack, "Template", instance_type=ec2.InstanceType("t3.small"),
                                  machine_image=image or ec2.MachineImage.latest_amazon_linux2023())
    return autoscaling.AutoScalingGroup(stack, "Servers", vpc=vpc, launch_template=template)


def _patching(stack: cdk.Stack, group_name: str, schedule: str = "cron(0 18 ? * SUN *)",
              operation: list[str] | None = None, baseline_os: str = "AMAZON_LINUX_2023") -> Task:
    ssm.CfnPatchBaseline(stack, "Baseline", name="servers", operating_system=baseline_os, default_baseline=True,
                         approval_rules=ssm.CfnPatchBaseline.RuleGroupProperty(patch_rules=[
                             ssm.CfnPatchBaseline.RuleProperty(
                                 approve_after_days=7,
                                 patch_filter_group=ssm.CfnPatchBaseline.PatchFilterGroupProperty(patch_filters=[
                                     ssm.CfnPatchBaseline.PatchFilterProperty(key="CLASSIFICATION",
                                                                              values=["Security"])]))]))
    window = ssm.CfnMaintenanceWindow(stack, "Window", name="patching", schedule=schedule, duration=3, cutoff=1,
                                      allow_unassociated_targets=False)
    target = ssm.CfnMaintenanceWindowTarget(stack, "Target", window_id=window.ref, resource_type="INSTANCE", targets=[
        ssm.CfnMaintenanceWindowTarget.TargetsProperty(key="tag:aws:autoscaling:groupName", values=[group_name])])
    parameters = {"Operation": operation} if operation is not None else {}
    return Task(stack, "Patch", window_id=window.ref, task_type="RUN_COMMAND", task_arn="AWS-RunPatchBaseline",
                priority=1, targets=[Task.TargetProperty(key="WindowTargetIds", values=[target.ref])],
                task_invocation_parameters=Task.TaskInvocationParametersProperty(
                    maintenance_window_run_command_parameters=Task.MaintenanceWindowRunCommandParametersProperty(
                        parameters=parameters)))


def test_noncompliance_1_nothing_patches_the_group():
    stack = new_stack()
    _servers(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("no AWS::SSM::MaintenanceWindowTarget selects the group's instances")


def test_noncompliance_2_scan_only():
    stack = new_stack()
    group = _servers(stack)
    _patching(stack, group.auto_scaling_group_name)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "Test/Patch: Operation = (absent: Scan): patches are reported, not installed"


def test_noncompliance_3_monthly_window():
    stack = new_stack()
    group = _servers(stack)
    _patching(stack, group.auto_scaling_group_name, schedule="cron(0 18 ? * SUN#1 *)", operation=["Install"])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("Test/Window: Schedule = cron(0 18 ? * SUN#1 *): it runs once or only in some "
                                   "months or years, not at least weekly")


def test_noncompliance_4_target_names_another_group():
    stack = new_stack()
    _servers(stack)
    _patching(stack, "some-other-group", operation=["Install"])
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_5_default_baseline_for_another_operating_system():
    stack = new_stack()
    group = _servers(stack)
    _patching(stack, group.auto_scaling_group_name, operation=["Install"], baseline_os="WINDOWS")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith(
        "no AWS::SSM::PatchBaseline in aws://123456789012/ap-northeast-1 is the default baseline for "
        "AMAZON_LINUX_2023 (image /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-")


def test_noncompliance_6_schedule_from_a_parameter_is_unresolved():
    stack = new_stack()
    group = _servers(stack)
    _patching(stack, group.auto_scaling_group_name, schedule=cdk.CfnParameter(stack, "Schedule").value_as_string,
              operation=["Install"])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert evaluation.evidence == 'Test/Window: Schedule = {"Ref":"Schedule"}'


def test_compliance_1_patch_management_construct_in_another_stack():
    stack = new_stack()
    group = _servers(stack)
    operations = cdk.Stack(stack.node.scope, "Operations", env=TOKYO, cross_region_references=False)
    PatchManagement(operations, "Patching", auto_scaling_group_name=group.auto_scaling_group_name)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.startswith(
        "Operations/Patching/Patch runs AWS-RunPatchBaseline with Operation Install on Operations/Patching/Servers "
        "(tag:aws:autoscaling:groupName) in Operations/Patching/Window, Schedule = cron(0 18 ? * SUN *) (UTC), at "
        "most 7 days apart; baseline Operations/Patching/Baseline (AMAZON_LINUX_2023, default): approves "
        "CLASSIFICATION Security/Bugfix, SEVERITY Critical after 7 days; CLASSIFICATION Security/Bugfix, "
        "SEVERITY Important after 7 days")


def test_compliance_2_daily_rate_and_any_default_baseline_when_the_image_is_not_known():
    stack = new_stack()
    group = _servers(stack, image=ec2.MachineImage.generic_linux({"ap-northeast-1": "ami-0123456789abcdef0"}))
    _patching(stack, group.auto_scaling_group_name, schedule="rate(1 day)", operation=["Install"],
              baseline_os="UBUNTU")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "Schedule = rate(1 day) (UTC), at most 1 day apart" in evaluation.evidence
    assert evaluation.evidence.endswith("baseline Test/Baseline (UBUNTU, default, operating system not inferred): "
                                        "approves CLASSIFICATION Security after 7 days")
