import aws_cdk as cdk
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_sns as sns

from nag_rules import Status
from nag_rules.rules.server_state_monitored import RULE
from tests.helpers import TOKYO, evaluations_of, new_app, new_stack, only

GTE = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD


def _vpc(stack):
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, map_public_ip_on_launch=False),
        ec2.SubnetConfiguration(name="App", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])


def _group(stack, vpc=None):
    vpc = vpc or _vpc(stack)
    template = ec2.LaunchTemplate(stack, "Template", machine_image=ec2.MachineImage.latest_amazon_linux2023(),
                                  instance_type=ec2.InstanceType("t3.small"),
                                  security_group=ec2.SecurityGroup(stack, "Servers Group", vpc=vpc))
    return autoscaling.AutoScalingGroup(stack, "Servers", vpc=vpc, launch_template=template, min_capacity=2,
                                        max_capacity=2)


def _behind_load_balancer(stack):
    vpc = _vpc(stack)
    group = _group(stack, vpc)
    balancer = elbv2.ApplicationLoadBalancer(stack, "Lb", vpc=vpc, internet_facing=True)
    listener = balancer.add_listener("Http", port=80)
    targets = listener.add_targets("Servers", port=8080, targets=[group])
    return group, targets


def _alarm(stack, construct_id, metric, threshold=1, comparison=GTE, with_action=True):
    topic = stack.node.try_find_child("Topic") or sns.Topic(stack, "Topic")
    alarm = metric.create_alarm(stack, construct_id, threshold=threshold, evaluation_periods=2,
                                comparison_operator=comparison)
    if with_action:
        alarm.add_alarm_action(actions.SnsAction(topic))
    return alarm


def _status(name="StatusCheckFailed", **dimensions):
    return cloudwatch.Metric(namespace="AWS/EC2", metric_name=name, dimensions_map=dimensions, statistic="Maximum")


def _evaluation(stack, resource_type="AWS::AutoScaling::AutoScalingGroup"):
    return only([e for e in evaluations_of(stack, RULE) if e.resource.type == resource_type])


def test_noncompliance_1_no_status_check_alarm():
    stack = new_stack()
    _group(stack)
    evaluation = _evaluation(stack)
    assert evaluation.status is Status.VIOLATED
    assert "status checks (AWS/EC2 StatusCheckFailed, or StatusCheckFailed_System and StatusCheckFailed_Instance, " \
           "by AutoScalingGroupName)" in evaluation.evidence


def test_noncompliance_2_target_group_without_unhealthy_host_alarm():
    stack = new_stack()
    group, _ = _behind_load_balancer(stack)
    _alarm(stack, "Status", _status(AutoScalingGroupName=group.auto_scaling_group_name))
    evaluation = _evaluation(stack)
    assert evaluation.status is Status.VIOLATED
    assert "unhealthy targets of Test/Lb/Http/ServersGroup/Resource on Test/Lb/Resource (AWS/ApplicationELB " \
           "UnHealthyHostCount by LoadBalancer, TargetGroup)" in evaluation.evidence


def test_noncompliance_3_status_alarm_that_can_never_fire():
    stack = new_stack()
    group = _group(stack)
    _alarm(stack, "Status", _status(AutoScalingGroupName=group.auto_scaling_group_name),
           comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD)
    evaluation = _evaluation(stack)
    assert evaluation.status is Status.VIOLATED
    assert "GreaterThanThreshold 1: StatusCheckFailed never exceeds 1, so it never fires" in evaluation.evidence


def test_noncompliance_4_only_the_system_status_check():
    stack = new_stack()
    group = _group(stack)
    _alarm(stack, "Status", _status("StatusCheckFailed_System", AutoScalingGroupName=group.auto_scaling_group_name))
    assert _evaluation(stack).status is Status.VIOLATED


def test_noncompliance_5_status_alarm_without_action():
    stack = new_stack()
    group = _group(stack)
    _alarm(stack, "Status", _status(AutoScalingGroupName=group.auto_scaling_group_name), with_action=False)
    assert "Test/Status/Resource (no AlarmActions)" in _evaluation(stack).evidence


def test_noncompliance_6_instance_without_alarms():
    stack = new_stack()
    ec2.Instance(stack, "Server", vpc=_vpc(stack), instance_type=ec2.InstanceType("t3.small"),
                 vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
                 machine_image=ec2.MachineImage.latest_amazon_linux2023())
    evaluation = _evaluation(stack, "AWS::EC2::Instance")
    assert evaluation.status is Status.VIOLATED
    assert "by InstanceId" in evaluation.evidence


def test_compliance_1_status_checks_and_unhealthy_targets():
    stack = new_stack()
    group, targets = _behind_load_balancer(stack)
    _alarm(stack, "Status", _status(AutoScalingGroupName=group.auto_scaling_group_name))
    _alarm(stack, "Unhealthy", targets.metrics.unhealthy_host_count())
    evaluation = _evaluation(stack)
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == (
        "status checks: Test/Status/Resource (GreaterThanOrEqualToThreshold 1); unhealthy targets of "
        "Test/Lb/Http/ServersGroup/Resource on Test/Lb/Resource: Test/Unhealthy/Resource "
        "(GreaterThanOrEqualToThreshold 1)")


def test_compliance_2_instance_with_system_and_instance_checks():
    stack = new_stack()
    server = ec2.Instance(stack, "Server", vpc=_vpc(stack), instance_type=ec2.InstanceType("t3.small"),
                          vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
                          machine_image=ec2.MachineImage.latest_amazon_linux2023())
    _alarm(stack, "System", _status("StatusCheckFailed_System", InstanceId=server.instance_id))
    _alarm(stack, "Instance", _status("StatusCheckFailed_Instance", InstanceId=server.instance_id))
    evaluation = _evaluation(stack, "AWS::EC2::Instance")
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("status checks: Test/System/Resource (GreaterThanOrEqualToThreshold 1), "
                                   "Test/Instance/Resource (GreaterThanOrEqualToThreshold 1)")


def test_compliance_3_alarms_in_another_stack_through_outputs():
    app = new_app()
    application, operations = (cdk.Stack(app, name, env=TOKYO) for name in ("Application", "Operations"))
    group, targets = _behind_load_balancer(application)
    _alarm(operations, "Status", _status(AutoScalingGroupName=group.auto_scaling_group_name))
    _alarm(operations, "Unhealthy", targets.metrics.unhealthy_host_count())
    evaluation = only([e for e in evaluations_of(application, RULE)])
    assert evaluation.status is Status.COMPLIANT
    assert "Application/Lb/Resource: Operations/Unhealthy/Resource" in evaluation.evidence


def test_unresolved_1_dimension_from_a_parameter():
    stack = new_stack()
    _group(stack)
    name = cdk.CfnParameter(stack, "GroupName", type="String")
    _alarm(stack, "Status", _status(AutoScalingGroupName=name.value_as_string))
    evaluation = _evaluation(stack)
    assert evaluation.status is Status.UNRESOLVED
    assert "Test/Status/Resource (its metric or a dimension is known only at deploy time)" in evaluation.evidence


def test_unresolved_2_target_group_outside_the_app():
    stack = new_stack()
    group = _group(stack)
    _alarm(stack, "Status", _status(AutoScalingGroupName=group.auto_scaling_group_name))
    group.attach_to_application_target_group(elbv2.ApplicationTargetGroup.from_target_group_attributes(
        stack, "Imported", target_group_arn="arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:"
                                            "targetgroup/other/0123456789abcdef"))
    evaluation = _evaluation(stack)
    assert evaluation.status is Status.UNRESOLVED
    assert "TargetGroupARNs entry arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/other/" \
           "0123456789abcdef is not a AWS::ElasticLoadBalancingV2::TargetGroup of this app" in evaluation.evidence
