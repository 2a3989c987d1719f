import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns

from nag_rules import Status
from nag_rules.rules.alarm_has_action import RULE
from tests.helpers import evaluations_of, new_stack, only

CLOUDWATCH = iam.ServicePrincipal("cloudwatch.amazonaws.com")


def _alarm(stack: cdk.Stack, **props) -> cloudwatch.Alarm:
    metric = cloudwatch.Metric(namespace="AWS/EC2", metric_name="StatusCheckFailed_System",
                               dimensions_map={"InstanceId": "i-0123456789abcdef0"})
    return cloudwatch.Alarm(stack, "Alarm", metric=metric, threshold=1, evaluation_periods=1, **props)


def _cfn_alarm(stack: cdk.Stack, *actions: str) -> cloudwatch.CfnAlarm:
    return cloudwatch.CfnAlarm(stack, "Alarm", comparison_operator="GreaterThanThreshold", evaluation_periods=1,
                               metric_name="CPUUtilization", namespace="AWS/EC2", period=300, statistic="Average",
                               threshold=90, alarm_actions=list(actions))


def _key_for_cloudwatch(stack: cdk.Stack, account: str = "123456789012") -> kms.Key:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    key.add_to_resource_policy(iam.PolicyStatement(
        sid="AllowCloudWatch", principals=[CLOUDWATCH], actions=["kms:GenerateDataKey*", "kms:Decrypt"],
        resources=["*"], conditions={"StringEquals": {"aws:SourceAccount": account}}))
    return key


def _deliverable_topic(stack: cdk.Stack, alarm_names: str = "app-*") -> sns.Topic:
    """Encrypted with a key that admits CloudWatch, TLS-only, and publishable by the app's alarms."""
    topic = sns.Topic(stack, "Topic", master_key=_key_for_cloudwatch(stack), enforce_ssl=True)
    topic.add_to_resource_policy(iam.PolicyStatement(
        sid="AllowAlarms", principals=[CLOUDWATCH], actions=["sns:Publish"], resources=[topic.topic_arn],
        conditions={"ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:{alarm_names}"}}))
    return topic


def test_noncompliance_1_alarm_without_actions():
    stack = new_stack()
    _alarm(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "AlarmActions absent or empty" in evaluation.evidence


def test_noncompliance_2_actions_disabled():
    stack = new_stack()
    _alarm(stack, actions_enabled=False).add_alarm_action(cw_actions.SnsAction(_deliverable_topic(stack)))
    assert only(evaluations_of(stack, RULE)).evidence.startswith("ActionsEnabled = false")


def test_noncompliance_3_unencrypted_topic():
    stack = new_stack()
    _alarm(stack).add_alarm_action(cw_actions.SnsAction(sns.Topic(stack, "Plain")))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "Test/Plain/Resource has no KmsMasterKeyId" in evaluation.evidence


def test_noncompliance_4_action_from_a_parameter_is_unresolved():
    stack = new_stack()
    _cfn_alarm(stack, cdk.CfnParameter(stack, "TopicArn").value_as_string)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "known only at deploy time" in evaluation.evidence


def test_noncompliance_5_topic_with_the_aws_managed_key():
    stack = new_stack()
    topic = sns.Topic(stack, "Topic", master_key=kms.Alias.from_alias_name(stack, "Managed", "alias/aws/sns"))
    _alarm(stack, alarm_name="app-x").add_alarm_action(cw_actions.SnsAction(topic))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "alias/aws/sns: an AWS managed key" in evaluation.evidence
    assert "cannot admit cloudwatch.amazonaws.com" in evaluation.evidence


def test_noncompliance_6_key_that_refuses_cloudwatch():
    stack = new_stack()
    topic = sns.Topic(stack, "Topic", master_key=kms.Key(stack, "Key", enable_key_rotation=True))
    _alarm(stack).add_alarm_action(cw_actions.SnsAction(topic))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert ("key Test/Key/Resource's policy does not let cloudwatch.amazonaws.com use it for kms:GenerateDataKey"
            in evaluation.evidence)


def test_noncompliance_7_key_that_admits_cloudwatch_of_another_account():
    stack = new_stack()
    topic = sns.Topic(stack, "Topic", master_key=_key_for_cloudwatch(stack, account="999999999999"))
    _alarm(stack).add_alarm_action(cw_actions.SnsAction(topic))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "statement AllowCloudWatch names it, but not for this request" in evaluation.evidence


def test_noncompliance_8_topic_of_another_account():
    stack = new_stack()
    _cfn_alarm(stack, "arn:aws:sns:us-east-1:999999999999:someone-elses")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "an SNS topic of account 999999999999, not 123456789012" in evaluation.evidence


def test_noncompliance_9_a_bucket_is_not_an_action():
    stack = new_stack()
    _cfn_alarm(stack, s3.CfnBucket(stack, "Bucket").attr_arn)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "Test/Bucket (AWS::S3::Bucket): not something a CloudWatch alarm can act on" in evaluation.evidence


def test_noncompliance_10_topic_policy_without_cloudwatch():
    """A topic policy replaces SNS's default one: enforce_ssl alone leaves CloudWatch out."""
    stack = new_stack()
    topic = sns.Topic(stack, "Topic", master_key=_key_for_cloudwatch(stack), enforce_ssl=True)
    _alarm(stack).add_alarm_action(cw_actions.SnsAction(topic))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert ("topic policy Test/Topic/Policy/Resource does not let cloudwatch.amazonaws.com publish"
            in evaluation.evidence)


def test_noncompliance_11_topic_policy_for_other_alarms():
    """The topic policy admits alarms named ops-*, and this alarm is named app-cpu."""
    stack = new_stack()
    _alarm(stack, alarm_name="app-cpu").add_alarm_action(
        cw_actions.SnsAction(_deliverable_topic(stack, alarm_names="ops-*")))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "does not let cloudwatch.amazonaws.com publish" in evaluation.evidence


def test_noncompliance_12_generated_alarm_name_against_a_name_pattern_is_unresolved():
    stack = new_stack()
    _alarm(stack).add_alarm_action(cw_actions.SnsAction(_deliverable_topic(stack)))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "statement AllowAlarms depends on values known only at deploy time" in evaluation.evidence


def test_noncompliance_13_function_nothing_lets_cloudwatch_invoke():
    stack = new_stack()
    function = lambda_.Function(stack, "Fn", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                                code=lambda_.Code.from_inline("def handler(e, c):\n    return 1\n"))
    _cfn_alarm(stack, function.function_arn)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "no AWS::Lambda::Permission lets lambda.alarms.cloudwatch.amazonaws.com invoke it" in evaluation.evidence


def test_noncompliance_14_ec2_action_of_another_region():
    stack = new_stack()
    _cfn_alarm(stack, "arn:aws:automate:us-east-1:ec2:stop")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "an EC2 action of region us-east-1, not ap-northeast-1" in evaluation.evidence


def test_compliance_1_notifies_a_topic_cloudwatch_can_publish_to():
    stack = new_stack()
    _alarm(stack, alarm_name="app-status").add_alarm_action(cw_actions.SnsAction(_deliverable_topic(stack)))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT, evaluation.evidence
    assert evaluation.evidence == (
        "ActionsEnabled = (absent: true); AlarmActions: Test/Topic/Resource: cloudwatch.amazonaws.com may publish "
        "(topic policy Test/Topic/Policy/Resource statement AllowAlarms) and use key Test/Key/Resource "
        "(statement AllowCloudWatch)")


def test_compliance_2_ec2_recovery():
    stack = new_stack()
    _alarm(stack).add_alarm_action(cw_actions.Ec2Action(cw_actions.Ec2InstanceAction.RECOVER))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "arn:aws:automate:ap-northeast-1:ec2:recover (EC2 recover action)" in evaluation.evidence


def test_compliance_3_composite_alarm_notifying_a_deliverable_topic():
    stack = new_stack()
    composite = cloudwatch.CompositeAlarm(stack, "Composite", composite_alarm_name="app-any",
                                          alarm_rule=cloudwatch.AlarmRule.any_of(_alarm(stack, alarm_name="app-one")))
    topic = _deliverable_topic(stack)
    composite.add_alarm_action(cw_actions.SnsAction(topic))
    stack.node.find_child("Alarm").add_alarm_action(cw_actions.SnsAction(topic))
    evaluations = evaluations_of(stack, RULE)
    assert {e.resource.type for e in evaluations} == {"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"}
    assert {e.status for e in evaluations} == {Status.COMPLIANT}


def test_compliance_4_no_topic_policy_leaves_sns_default_which_admits_the_accounts_alarms():
    stack = new_stack()
    topic = sns.Topic(stack, "Topic", master_key=_key_for_cloudwatch(stack))
    _alarm(stack).add_alarm_action(cw_actions.SnsAction(topic))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT, evaluation.evidence
    assert "Test/Topic/Resource's default topic policy" in evaluation.evidence


def test_compliance_5_function_with_cloudwatch_permission_scaling_policy_and_ops_item():
    stack = new_stack()
    function = lambda_.Function(stack, "Fn", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                                code=lambda_.Code.from_inline("def handler(e, c):\n    return 1\n"))
    policy = cdk.aws_autoscaling.CfnScalingPolicy(stack, "ScaleOut", auto_scaling_group_name="servers",
                                                  adjustment_type="ChangeInCapacity", scaling_adjustment=1)
    alarm = _alarm(stack)
    alarm.add_alarm_action(cw_actions.LambdaAction(function))
    alarm.add_alarm_action(cw_actions.SsmAction(cw_actions.OpsItemSeverity.HIGH))
    alarm.node.default_child.add_property_override("AlarmActions.2", policy.ref)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT, evaluation.evidence
    assert "Test/Fn/Resource (Lambda function; Test/Fn/AlarmAlarmPermission lets CloudWatch alarms" in evaluation.evidence
    assert "arn:aws:ssm:ap-northeast-1:123456789012:opsitem:2 (Systems Manager OpsItem)" in evaluation.evidence
    assert "Test/ScaleOut (scaling policy)" in evaluation.evidence
