import aws_cdk as cdk
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_sns as sns

from nag_rules import Status
from nag_rules.rules.capacity_monitored import RULE
from tests.helpers import evaluations_of, new_stack, only

SERVER_METRICS = (("AWS/EC2", "CPUUtilization"), ("CWAgent", "mem_used_percent"), ("CWAgent", "disk_used_percent"))


def _group(stack, min_capacity=2, max_capacity=4):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="App", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    template = ec2.LaunchTemplate(stack, "Template", machine_image=ec2.MachineImage.latest_amazon_linux2023(),
                                  instance_type=ec2.InstanceType("t3.small"))
    return autoscaling.AutoScalingGroup(stack, "Servers", vpc=vpc, launch_template=template,
                                        min_capacity=min_capacity, max_capacity=max_capacity)


def _alarms(stack, group, metrics=SERVER_METRICS, with_action=True):
    topic = sns.Topic(stack, "Topic")
    for index, (namespace, name) in enumerate(metrics):
        alarm = cloudwatch.Alarm(stack, f"Alarm{index}", threshold=80, evaluation_periods=3, metric=cloudwatch.Metric(
            namespace=namespace, metric_name=name,
            dimensions_map={"AutoScalingGroupName": group.auto_scaling_group_name}))
        if with_action:
            alarm.add_alarm_action(actions.SnsAction(topic))


def _group_evaluation(stack):
    return only([e for e in evaluations_of(stack, RULE) if e.resource.type == "AWS::AutoScaling::AutoScalingGroup"])


def test_noncompliance_1_no_memory_or_disk_alarm():
    stack = new_stack()
    group = _group(stack)
    group.scale_on_cpu_utilization("Cpu", target_utilization_percent=60)
    _alarms(stack, group, metrics=SERVER_METRICS[:1])
    evaluation = _group_evaluation(stack)
    assert evaluation.status is Status.VIOLATED
    assert "memory (CWAgent mem_used_percent), disk (CWAgent disk_used_percent)" in evaluation.evidence


def test_noncompliance_2_alarms_without_actions():
    stack = new_stack()
    group = _group(stack)
    group.scale_on_cpu_utilization("Cpu", target_utilization_percent=60)
    _alarms(stack, group, with_action=False)
    assert "alarm without action" in _group_evaluation(stack).evidence


def test_noncompliance_3_a_group_that_cannot_scale_on_its_own():
    stack = new_stack()
    group = _group(stack)
    _alarms(stack, group)
    evaluation = _group_evaluation(stack)
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "MinSize 2 < MaxSize 4, but no scaling policy moves between them"


def test_compliance_1_alarms_with_actions_and_target_tracking():
    stack = new_stack()
    group = _group(stack)
    group.scale_on_cpu_utilization("Cpu", target_utilization_percent=60)
    _alarms(stack, group)
    evaluation = _group_evaluation(stack)
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.startswith("CPU: Test/Alarm0/Resource; memory: Test/Alarm1/Resource")
    assert "scales between 2 and 4 by Test/Servers/ScalingPolicyCpu/Resource (TargetTrackingScaling)" in (
        evaluation.evidence)


def test_compliance_2_fixed_size_group_needs_no_policy():
    stack = new_stack()
    group = _group(stack, min_capacity=2, max_capacity=2)
    _alarms(stack, group)
    assert _group_evaluation(stack).evidence.endswith("a fixed size of 2: nothing to scale")


def test_unresolved_1_size_from_a_parameter():
    stack = new_stack()
    group = _group(stack)
    _alarms(stack, group)
    size = cdk.CfnParameter(stack, "Size", type="String")
    group.node.default_child.add_property_override("MaxSize", size.value_as_string)
    assert _group_evaluation(stack).status is Status.UNRESOLVED
