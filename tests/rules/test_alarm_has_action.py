import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns

from nag_rules import Status
from nag_rules.rules.alarm_has_action import RULE
from tests.helpers import evaluations_of, new_stack, only


def _alarm(stack: cdk.Stack, **props) -> cloudwatch.Alarm:
    metric = cloudwatch.Metric(namespace="AWS/EC2", metric_name="StatusCheckFailed_System",
                               dimensions_map={"InstanceId": "i-0123456789abcdef0"})
    return cloudwatch.Alarm(stack, "Alarm", metric=metric, threshold=1, evaluation_periods=1, **props)


def _encrypted_topic(stack: cdk.Stack) -> sns.Topic:
    return sns.Topic(stack, "Topic", master_key=kms.Key(stack, "Key", enable_key_rotation=True))


def test_noncompliance_1_alarm_without_actions():
    stack = new_stack()
    _alarm(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "AlarmActions absent or empty" in evaluation.evidence


def test_noncompliance_2_actions_disabled():
    stack = new_stack()
    _alarm(stack, actions_enabled=False).add_alarm_action(cw_actions.SnsAction(_encrypted_topic(stack)))
    assert only(evaluations_of(stack, RULE)).evidence.startswith("ActionsEnabled = false")


def test_noncompliance_3_unencrypted_topic():
    stack = new_stack()
    _alarm(stack).add_alarm_action(cw_actions.SnsAction(sns.Topic(stack, "Plain")))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "Test/Plain/Resource (SNS topic without KmsMasterKeyId" in evaluation.evidence


def test_noncompliance_4_action_from_a_parameter_is_unresolved():
    stack = new_stack()
    topic_arn = cdk.CfnParameter(stack, "TopicArn")
    cloudwatch.CfnAlarm(stack, "Alarm", comparison_operator="GreaterThanThreshold", evaluation_periods=1,
                        metric_name="CPUUtilization", namespace="AWS/EC2", period=300, statistic="Average",
                        threshold=90, alarm_actions=[topic_arn.value_as_string])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "known only at deploy time" in evaluation.evidence


def test_compliance_1_notifies_an_encrypted_topic():
    stack = new_stack()
    _alarm(stack).add_alarm_action(cw_actions.SnsAction(_encrypted_topic(stack)))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("ActionsEnabled = (absent: true); AlarmActions: Test/Topic/Resource "
                                   "(SNS topic, KMS-encrypted)")


def test_compliance_2_ec2_recovery_is_named_as_outside_the_app():
    stack = new_stack()
    _alarm(stack).add_alarm_action(cw_actions.Ec2Action(cw_actions.Ec2InstanceAction.RECOVER))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "arn:aws:automate:ap-northeast-1:ec2:recover (an EC2 action outside this app)" in evaluation.evidence


def test_compliance_3_composite_alarm_notifying_an_encrypted_topic():
    stack = new_stack()
    composite = cloudwatch.CompositeAlarm(stack, "Composite",
                                          alarm_rule=cloudwatch.AlarmRule.any_of(_alarm(stack)))
    topic = _encrypted_topic(stack)
    composite.add_alarm_action(cw_actions.SnsAction(topic))
    stack.node.find_child("Alarm").add_alarm_action(cw_actions.SnsAction(topic))
    evaluations = evaluations_of(stack, RULE)
    assert {e.resource.type for e in evaluations} == {"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"}
    assert {e.status for e in evaluations} == {Status.COMPLIANT}
