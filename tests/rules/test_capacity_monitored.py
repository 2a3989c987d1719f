import json
import re

import aws_cdk as cdk
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_rds as rds
from aws_cdk import aws_sns as sns
from aws_cdk import aws_ssm as ssm

from constructs_lib.monitoring import AGENT_CTL, ServerMetricsAgent
from nag_rules import Status
from nag_rules.rules.capacity_monitored import RULE
from tests.helpers import evaluations_of, new_stack, only

SERVER_METRICS = (("AWS/EC2", "CPUUtilization"), ("CWAgent", "mem_used_percent"), ("CWAgent", "disk_used_percent"))
GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
LT = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD
ISOLATED = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)


def _vpc(stack):
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="App", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])


def _group(stack, min_capacity=2, max_capacity=4, agent=True, commands=()):
    """A group whose user data starts the CloudWatch agent the way the application stack does."""
    user_data = ec2.UserData.for_linux()
    user_data.add_commands("set -euo pipefail", *commands)
    if agent:
        user_data.add_commands(*ServerMetricsAgent(stack, "Agent", prefix="test").commands)
    template = ec2.LaunchTemplate(stack, "Template", machine_image=ec2.MachineImage.latest_amazon_linux2023(),
                                  instance_type=ec2.InstanceType("t3.small"), user_data=user_data)
    return autoscaling.AutoScalingGroup(stack, "Servers", vpc=_vpc(stack), launch_template=template,
                                        min_capacity=min_capacity, max_capacity=max_capacity)


def _alarms(stack, dimensions, metrics=SERVER_METRICS, with_action=True, comparison=GT, threshold=80, prefix="Alarm"):
    topic = stack.node.try_find_child("Topic") or sns.Topic(stack, "Topic")
    for index, (namespace, name) in enumerate(metrics):
        alarm = cloudwatch.Alarm(stack, f"{prefix}{index}", threshold=threshold, evaluation_periods=3,
                                 comparison_operator=comparison, metric=cloudwatch.Metric(
                                     namespace=namespace, metric_name=name, dimensions_map=dimensions))
        if with_action:
            alarm.add_alarm_action(actions.SnsAction(topic))


def _by_group(group):
    return {"AutoScalingGroupName": group.auto_scaling_group_name}


def _of_type(stack, resource_type):
    return only([e for e in evaluations_of(stack, RULE) if e.resource.type == resource_type])


def _group_evaluation(stack):
    return _of_type(stack, "AWS::AutoScaling::AutoScalingGroup")


def _cluster(stack, readers=1):
    return rds.DatabaseCluster(
        stack, "Db", engine=rds.DatabaseClusterEngine.aurora_postgres(version=rds.AuroraPostgresEngineVersion.VER_16_4),
        writer=rds.ClusterInstance.serverless_v2("Writer"),
        readers=[rds.ClusterInstance.serverless_v2(f"Reader{i}", scale_with_writer=True) for i in range(readers)],
        vpc=_vpc(stack), vpc_subnets=ISOLATED, storage_encrypted=True)


def _instance_agent_config(stack, dimension="InstanceId", aggregate=True):
    config = {"metrics": {"append_dimensions": {dimension: f"${{aws:{dimension}}}"},
                          "metrics_collected": {"mem": {"measurement": ["mem_used_percent"]},
                                                "disk": {"measurement": ["used_percent"], "resources": ["/"]}}}}
    if aggregate:
        config["metrics"]["aggregation_dimensions"] = [[dimension]]
    ssm.StringParameter(stack, "AgentConfig", parameter_name="/test/agent", string_value=json.dumps(config))
    return ("dnf install -y amazon-cloudwatch-agent", f"{AGENT_CTL} -a fetch-config -m ec2 -s -c ssm:/test/agent")


def test_noncompliance_1_no_memory_or_disk_alarm():
    stack = new_stack()
    group = _group(stack)
    group.scale_on_cpu_utilization("Cpu", target_utilization_percent=60)
    _alarms(stack, _by_group(group), metrics=SERVER_METRICS[:1])
    evaluation = _group_evaluation(stack)
    assert evaluation.status is Status.VIOLATED
    assert "memory (CWAgent mem_used_percent by AutoScalingGroupName); disk (CWAgent disk_used_percent by " \
           "AutoScalingGroupName)" in evaluation.evidence


def test_noncompliance_2_alarms_without_actions():
    stack = new_stack()
    group = _group(stack)
    group.scale_on_cpu_utilization("Cpu", target_utilization_percent=60)
    _alarms(stack, _by_group(group), with_action=False)
    evaluation = _group_evaluation(stack)
    assert evaluation.status is Status.VIOLATED
    assert "CPU (AWS/EC2 CPUUtilization by AutoScalingGroupName) (Test/Alarm0/Resource (no AlarmActions))" in (
        evaluation.evidence)


def test_noncompliance_3_alarms_that_can_never_fire():
    stack = new_stack()
    group = _group(stack)
    group.scale_on_cpu_utilization("Cpu", target_utilization_percent=60)
    _alarms(stack, _by_group(group), comparison=LT, threshold=1000)
    evaluation = _group_evaluation(stack)
    assert evaluation.status is Status.VIOLATED
    assert "LessThanThreshold: it alarms when CPUUtilization falls, and the trouble is its rise" in evaluation.evidence


def test_noncompliance_4_thresholds_above_one_hundred_percent():
    stack = new_stack()
    group = _group(stack)
    group.scale_on_cpu_utilization("Cpu", target_utilization_percent=60)
    _alarms(stack, _by_group(group), threshold=1000)
    evaluation = _group_evaluation(stack)
    assert evaluation.status is Status.VIOLATED
    assert "GreaterThanThreshold 1000: CPUUtilization never exceeds 100, so it never fires" in evaluation.evidence


def test_noncompliance_5_memory_and_disk_alarms_without_the_agent():
    stack = new_stack()
    group = _group(stack, agent=False, commands=("dnf install -y amazon-cloudwatch-agent",))
    group.scale_on_cpu_utilization("Cpu", target_utilization_percent=60)
    _alarms(stack, _by_group(group))
    evaluation = _group_evaluation(stack)
    assert evaluation.status is Status.VIOLATED
    assert "Test/Alarm1/Resource (GreaterThanThreshold 80), but CWAgent mem_used_percent is published by nothing: " \
           "Test/Template/Resource UserData never starts the CloudWatch agent" in evaluation.evidence


def test_noncompliance_6_agent_configuration_that_does_not_aggregate_by_group():
    stack = new_stack()
    group = _group(stack, agent=False, commands=_instance_agent_config(stack, "AutoScalingGroupName",
                                                                       aggregate=False))
    group.scale_on_cpu_utilization("Cpu", target_utilization_percent=60)
    _alarms(stack, _by_group(group))
    evaluation = _group_evaluation(stack)
    assert evaluation.status is Status.VIOLATED
    assert "disk_used_percent by more dimensions than AutoScalingGroupName (aggregation_dimensions lacks " \
           "[\"AutoScalingGroupName\"])" in evaluation.evidence


def test_noncompliance_7_alarms_on_another_group():
    stack = new_stack()
    group = _group(stack)
    group.scale_on_cpu_utilization("Cpu", target_utilization_percent=60)
    _alarms(stack, {"AutoScalingGroupName": "some-other-group"})
    evaluation = _group_evaluation(stack)
    assert evaluation.status is Status.VIOLATED
    assert "CPU (AWS/EC2 CPUUtilization by AutoScalingGroupName);" in evaluation.evidence


def test_noncompliance_8_a_group_that_cannot_scale_on_its_own():
    stack = new_stack()
    group = _group(stack)
    _alarms(stack, _by_group(group))
    evaluation = _group_evaluation(stack)
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "MinSize 2 < MaxSize 4, but no scaling policy moves between them"


def test_noncompliance_9_database_cluster_without_a_storage_alarm():
    stack = new_stack()
    cluster = _cluster(stack)
    _alarms(stack, {"DBClusterIdentifier": cluster.cluster_identifier},
            (("AWS/RDS", "CPUUtilization"), ("AWS/RDS", "DatabaseConnections")))
    evaluation = _of_type(stack, "AWS::RDS::DBCluster")
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith(
        "no alarm with an action that can fire watches storage (FreeLocalStorage of each instance by "
        "DBInstanceIdentifier, or AuroraVolumeBytesLeftTotal or VolumeBytesUsed by DBClusterIdentifier) (none for "
        "Test/Db/Writer/Resource; none for Test/Db/Reader0/Resource)")


def test_noncompliance_10_free_local_storage_of_only_one_instance():
    stack = new_stack()
    cluster = _cluster(stack)
    _alarms(stack, {"DBClusterIdentifier": cluster.cluster_identifier},
            (("AWS/RDS", "CPUUtilization"), ("AWS/RDS", "DatabaseConnections")))
    _alarms(stack, {"DBInstanceIdentifier": cluster.instance_identifiers[0]}, (("AWS/RDS", "FreeLocalStorage"),),
            comparison=LT, threshold=2 * 1024**3, prefix="Storage")
    evaluation = _of_type(stack, "AWS::RDS::DBCluster")
    assert evaluation.status is Status.VIOLATED
    assert "none for Test/Db/Reader0/Resource" in evaluation.evidence


def test_noncompliance_11_standalone_database_and_server_are_evaluated():
    stack = new_stack()
    vpc = _vpc(stack)
    rds.DatabaseInstance(stack, "Db", engine=rds.DatabaseInstanceEngine.postgres(
        version=rds.PostgresEngineVersion.VER_16_4), vpc=vpc, vpc_subnets=ISOLATED, storage_encrypted=True)
    ec2.Instance(stack, "Server", vpc=vpc, vpc_subnets=ISOLATED, instance_type=ec2.InstanceType("t3.small"),
                 machine_image=ec2.MachineImage.latest_amazon_linux2023())
    database = _of_type(stack, "AWS::RDS::DBInstance")
    server = _of_type(stack, "AWS::EC2::Instance")
    assert database.status is server.status is Status.VIOLATED
    assert "storage (AWS/RDS FreeStorageSpace by DBInstanceIdentifier)" in database.evidence
    assert "memory (CWAgent mem_used_percent by InstanceId)" in server.evidence


def test_compliance_1_alarms_with_actions_agent_and_target_tracking():
    stack = new_stack()
    group = _group(stack)
    group.scale_on_cpu_utilization("Cpu", target_utilization_percent=60)
    _alarms(stack, _by_group(group))
    evaluation = _group_evaluation(stack)
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.startswith("CPU: Test/Alarm0/Resource (GreaterThanThreshold 80); memory: "
                                          "Test/Alarm1/Resource (GreaterThanThreshold 80)")
    assert re.search(r"memory and disk published by Test/Template/Resource UserData line \d+ with "
                     r"Test/Agent/Config/Resource \(by AutoScalingGroupName\)", evaluation.evidence)
    assert "scales between 2 and 4 by Test/Servers/ScalingPolicyCpu/Resource (TargetTrackingScaling)" in (
        evaluation.evidence)


def test_compliance_2_fixed_size_group_needs_no_policy():
    stack = new_stack()
    group = _group(stack, min_capacity=2, max_capacity=2)
    _alarms(stack, _by_group(group))
    assert _group_evaluation(stack).evidence.endswith("a fixed size of 2: nothing to scale")


def test_compliance_3_metric_math_returning_a_plain_metric():
    stack = new_stack()
    group = _group(stack)
    group.scale_on_cpu_utilization("Cpu", target_utilization_percent=60)
    _alarms(stack, _by_group(group), metrics=SERVER_METRICS[1:])
    cpu = cloudwatch.Metric(namespace="AWS/EC2", metric_name="CPUUtilization", dimensions_map=_by_group(group))
    cloudwatch.Alarm(stack, "Cpu", metric=cloudwatch.MathExpression(expression="m1", using_metrics={"m1": cpu}),
                     threshold=80, evaluation_periods=3).add_alarm_action(
        actions.SnsAction(stack.node.find_child("Topic")))
    evaluation = _group_evaluation(stack)
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.startswith("CPU: Test/Cpu/Resource (GreaterThanOrEqualToThreshold 80)")


def test_compliance_4_aurora_storage_of_every_instance():
    stack = new_stack()
    cluster = _cluster(stack)
    _alarms(stack, {"DBClusterIdentifier": cluster.cluster_identifier},
            (("AWS/RDS", "CPUUtilization"), ("AWS/RDS", "DatabaseConnections")))
    for index, instance in enumerate(cluster.instance_identifiers):
        _alarms(stack, {"DBInstanceIdentifier": instance}, (("AWS/RDS", "FreeLocalStorage"),),
                comparison=LT, threshold=2 * 1024**3, prefix=f"Storage{index}")
    evaluation = _of_type(stack, "AWS::RDS::DBCluster")
    assert evaluation.status is Status.COMPLIANT
    assert "storage: Test/Db/Writer/Resource: Test/Storage00/Resource (LessThanThreshold 2147483648), " \
           "Test/Db/Reader0/Resource: Test/Storage10/Resource" in evaluation.evidence
    assert not [e for e in evaluations_of(stack, RULE) if e.resource.type == "AWS::RDS::DBInstance"]


def test_compliance_5_aurora_volume_alarm():
    stack = new_stack()
    cluster = _cluster(stack)
    _alarms(stack, {"DBClusterIdentifier": cluster.cluster_identifier},
            (("AWS/RDS", "CPUUtilization"), ("AWS/RDS", "DatabaseConnections")))
    _alarms(stack, {"DBClusterIdentifier": cluster.cluster_identifier}, (("AWS/RDS", "VolumeBytesUsed"),),
            threshold=100 * 1024**4, prefix="Volume")
    evaluation = _of_type(stack, "AWS::RDS::DBCluster")
    assert evaluation.status is Status.COMPLIANT
    assert "storage: Test/Volume0/Resource (GreaterThanThreshold 109951162777600)" in evaluation.evidence


def test_compliance_6_standalone_database_instance():
    stack = new_stack()
    database = rds.DatabaseInstance(stack, "Db", engine=rds.DatabaseInstanceEngine.postgres(
        version=rds.PostgresEngineVersion.VER_16_4), vpc=_vpc(stack), vpc_subnets=ISOLATED, storage_encrypted=True)
    topic = sns.Topic(stack, "Topic")
    for name, metric, comparison, threshold in (
            ("Cpu", database.metric_cpu_utilization(), GT, 80),
            ("Connections", database.metric_database_connections(), GT, 200),
            ("Storage", database.metric_free_storage_space(), LT, 5 * 1024**3)):
        metric.create_alarm(stack, name, threshold=threshold, evaluation_periods=1,
                            comparison_operator=comparison).add_alarm_action(actions.SnsAction(topic))
    evaluation = _of_type(stack, "AWS::RDS::DBInstance")
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("CPU: Test/Cpu/Resource (GreaterThanThreshold 80); connections: "
                                   "Test/Connections/Resource (GreaterThanThreshold 200); storage: "
                                   "Test/Storage/Resource (LessThanThreshold 5368709120)")


def test_compliance_7_server_instance_with_agent_by_instance_id():
    stack = new_stack()
    user_data = ec2.UserData.for_linux()
    user_data.add_commands(*_instance_agent_config(stack))
    server = ec2.Instance(stack, "Server", vpc=_vpc(stack), vpc_subnets=ISOLATED, user_data=user_data,
                          instance_type=ec2.InstanceType("t3.small"),
                          machine_image=ec2.MachineImage.latest_amazon_linux2023())
    _alarms(stack, {"InstanceId": server.instance_id})
    evaluation = _of_type(stack, "AWS::EC2::Instance")
    assert evaluation.status is Status.COMPLIANT
    assert "memory and disk published by Test/Server/Resource UserData line 3 with Test/AgentConfig/Resource " \
           "(by InstanceId)" in evaluation.evidence


def test_unresolved_1_size_from_a_parameter():
    stack = new_stack()
    group = _group(stack)
    _alarms(stack, _by_group(group))
    size = cdk.CfnParameter(stack, "Size", type="String")
    group.node.default_child.add_property_override("MaxSize", size.value_as_string)
    assert _group_evaluation(stack).status is Status.UNRESOLVED


def test_unresolved_2_agent_configuration_on_the_server():
    stack = new_stack()
    group = _group(stack, agent=False, commands=(
        "dnf install -y amazon-cloudwatch-agent",
        f"{AGENT_CTL} -a fetch-config -m ec2 -s -c file:/opt/agent.json"))
    group.scale_on_cpu_utilization("Cpu", target_utilization_percent=60)
    _alarms(stack, _by_group(group))
    evaluation = _group_evaluation(stack)
    assert evaluation.status is Status.UNRESOLVED
    assert "with configuration file:/opt/agent.json, which is not in the template" in evaluation.evidence


def test_unresolved_3_metric_math_expression():
    stack = new_stack()
    group = _group(stack)
    group.scale_on_cpu_utilization("Cpu", target_utilization_percent=60)
    _alarms(stack, _by_group(group), metrics=SERVER_METRICS[1:])
    cpu = cloudwatch.Metric(namespace="AWS/EC2", metric_name="CPUUtilization", dimensions_map=_by_group(group))
    cloudwatch.Alarm(stack, "Cpu", metric=cloudwatch.MathExpression(expression="m1 * 2", using_metrics={"m1": cpu}),
                     threshold=80, evaluation_periods=3).add_alarm_action(
        actions.SnsAction(stack.node.find_child("Topic")))
    evaluation = _group_evaluation(stack)
    assert evaluation.status is Status.UNRESOLVED
    assert "Test/Cpu/Resource (metric math m1 * 2 over it" in evaluation.evidence
