import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions

from constructs_lib import DataClass, DataClassKey, NotificationTopic
from nag_rules import Status
from nag_rules.rules.notifications_delivered import RULE
from tests.helpers import TOKYO, evaluations_of, new_app, new_stack, only


def _alarm_to(stack: cdk.Stack, topic: sns.ITopic) -> None:
    metric = cloudwatch.Metric(namespace="AWS/EC2", metric_name="CPUUtilization")
    cloudwatch.Alarm(stack, "Alarm", metric=metric, threshold=90, evaluation_periods=1) \
        .add_alarm_action(cw_actions.SnsAction(topic))


def _key(stack: cdk.Stack) -> DataClassKey:
    return DataClassKey(stack, "Key", data_class=DataClass.OPERATIONS, alias_prefix="test")


def test_noncompliance_1_alarm_topic_nobody_subscribes_to():
    stack = new_stack()
    _alarm_to(stack, sns.Topic(stack, "Topic", master_key=_key(stack), enforce_ssl=True))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "used by 1 alarm: no subscription in this app: its notifications reach no one"


def test_noncompliance_2_rule_topic_with_the_aws_managed_key_and_no_tls_policy():
    stack = new_stack()
    topic = sns.Topic(stack, "Topic", master_key=kms.Alias.from_alias_name(stack, "Managed", "alias/aws/sns"))
    topic.add_subscription(subscriptions.EmailSubscription("security@example.com"))
    events.Rule(stack, "Rule", event_pattern=events.EventPattern(source=["aws.guardduty"]),
                targets=[targets.SnsTopic(topic)])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("used by 1 EventBridge rule: ")
    assert "alias/aws/sns: an AWS managed key" in evaluation.evidence
    assert "has no Deny of sns:Publish for aws:SecureTransport false" in evaluation.evidence


def test_noncompliance_3_unencrypted_topic_without_any_topic_policy():
    stack = new_stack()
    topic = sns.Topic(stack, "Topic")
    topic.add_subscription(subscriptions.EmailSubscription("security@example.com"))
    _alarm_to(stack, topic)
    evidence = only(evaluations_of(stack, RULE)).evidence
    assert "KmsMasterKeyId absent" in evidence
    assert "no topic policy refuses publishing without TLS" in evidence


def test_noncompliance_4_key_outside_the_app_is_unresolved():
    stack = new_stack()
    key = kms.Key.from_key_arn(stack, "Outside", "arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef")
    topic = sns.Topic(stack, "Topic", master_key=key, enforce_ssl=True)
    topic.add_subscription(subscriptions.EmailSubscription("security@example.com"))
    _alarm_to(stack, topic)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "a key outside this app" in evaluation.evidence


def test_compliance_1_notification_topic_of_the_app():
    app = new_app()
    foundation = cdk.Stack(app, "Foundation", env=TOKYO)
    operations = cdk.Stack(app, "Operations", env=TOKYO)
    topic = NotificationTopic(foundation, "Notifications", key=_key(foundation),
                              emails=["a@example.com", "b@example.com"])
    _alarm_to(operations, topic)
    evaluation = only([e for e in evaluations_of(app, RULE)])
    assert evaluation.status is Status.COMPLIANT, evaluation.evidence
    assert evaluation.evidence == (
        "used by 1 alarm; subscriptions: 2 email; KmsMasterKeyId = Foundation/Key/Resource (customer managed); "
        "Foundation/Notifications/Policy/Resource denies sns:Publish without TLS (AllowPublishThroughSSLOnly)")


def test_compliance_2_topic_nothing_sends_to_is_not_evaluated():
    stack = new_stack()
    sns.Topic(stack, "Topic")
    assert evaluations_of(stack, RULE) == []
