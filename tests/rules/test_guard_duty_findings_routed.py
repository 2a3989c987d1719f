import json

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_guardduty as guardduty
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns

from nag_rules import Status
from nag_rules.rules.guard_duty_findings_routed import RULE
from tests.helpers import TOKYO, evaluations_of, new_app, new_stack, only


def _detector(stack: cdk.Stack) -> guardduty.CfnDetector:
    return guardduty.CfnDetector(stack, "Detector", enable=True)


def _encrypted_topic(stack: cdk.Stack) -> sns.Topic:
    return sns.Topic(stack, "Topic", master_key=kms.Key(stack, "Key", enable_key_rotation=True))


def _findings_rule(stack: cdk.Stack, topic: sns.ITopic, severity=None) -> events.Rule:
    detail = {"severity": severity} if severity is not None else None
    rule = events.Rule(stack, "Findings", event_pattern=events.EventPattern(
        source=["aws.guardduty"], detail_type=["GuardDuty Finding"], detail=detail))
    rule.add_target(targets.SnsTopic(topic))
    return rule


def test_noncompliance_1_no_rule_for_findings():
    stack = new_stack()
    _detector(stack)
    events.Rule(stack, "Other", event_pattern=events.EventPattern(source=["aws.ec2"]))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("no EventBridge rule in aws://123456789012/ap-northeast-1")


def test_noncompliance_2_only_high_severity_routed():
    stack = new_stack()
    _detector(stack)
    _findings_rule(stack, _encrypted_topic(stack), severity=[{"numeric": [">=", 7]}])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "leaves out some findings of severity 4.0 to 10.0" in evaluation.evidence


def test_noncompliance_3_unencrypted_topic():
    stack = new_stack()
    _detector(stack)
    _findings_rule(stack, sns.Topic(stack, "Plain"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "Test/Plain/Resource (SNS topic without KmsMasterKeyId)" in evaluation.evidence


def test_noncompliance_4_rule_in_another_region_does_not_count():
    app = new_app()
    tokyo = cdk.Stack(app, "Tokyo", env=TOKYO)
    virginia = cdk.Stack(app, "Virginia", env=cdk.Environment(account=TOKYO.account, region="us-east-1"))
    _detector(tokyo)
    _findings_rule(virginia, _encrypted_topic(virginia))
    evaluation = only(evaluations_of(tokyo, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "no EventBridge rule" in evaluation.evidence


def test_noncompliance_5_disabled_rule_and_custom_bus():
    stack = new_stack()
    _detector(stack)
    bus = events.EventBus(stack, "Bus")
    rule = events.Rule(stack, "Findings", enabled=False, event_bus=bus,
                       event_pattern=events.EventPattern(source=["aws.guardduty"]))
    rule.add_target(targets.SnsTopic(_encrypted_topic(stack)))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "State = DISABLED" in evaluation.evidence and "default bus" in evaluation.evidence


def test_noncompliance_6_target_from_a_parameter_is_unresolved():
    stack = new_stack()
    _detector(stack)
    arn = cdk.CfnParameter(stack, "TopicArn")
    _findings_rule(stack, sns.Topic.from_topic_arn(stack, "Imported", arn.value_as_string))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "known only at deploy time" in evaluation.evidence


def test_noncompliance_7_other_filters_leave_findings_out():
    stack = new_stack()
    _detector(stack)
    rule = events.Rule(stack, "Findings", event_pattern=events.EventPattern(
        source=["aws.guardduty"], region=["us-east-1"], detail={"type": [{"prefix": "Recon"}]}))
    rule.add_target(targets.SnsTopic(_encrypted_topic(stack)))
    evidence = only(evaluations_of(stack, RULE)).evidence
    assert "filters findings by region" in evidence and "filters findings by detail.type" in evidence


def test_compliance_1_medium_and_above_to_an_encrypted_topic():
    stack = new_stack()
    _detector(stack)
    _findings_rule(stack, _encrypted_topic(stack), severity=[{"numeric": [">=", 4]}])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ('Test/Findings/Resource sends aws.guardduty GuardDuty Finding events (severity '
                                   '[{"numeric":[">=",4]}]) to Test/Topic/Resource (SNS, KMS-encrypted)')


def test_compliance_2_json_pattern_in_another_stack_of_the_same_environment():
    app = new_app()
    security = cdk.Stack(app, "Security", env=TOKYO)
    alerts = cdk.Stack(app, "Alerts", env=TOKYO)
    _detector(security)
    topic = _encrypted_topic(alerts)
    rule = events.CfnRule(alerts, "Findings", event_pattern={"source": ["aws.guardduty"]},
                          targets=[events.CfnRule.TargetProperty(arn=topic.topic_arn, id="Topic")])
    rule.add_property_override("EventPattern", json.dumps({"source": ["aws.guardduty"]}))
    evaluation = only(evaluations_of(security, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "Alerts/Findings sends" in evaluation.evidence and "every severity" in evaluation.evidence


def test_compliance_3_severity_as_listed_values_and_ranges():
    stack = new_stack()
    _detector(stack)
    tenths = [round(4 + i / 10, 1) for i in range(30)]
    _findings_rule(stack, _encrypted_topic(stack), severity=[*tenths, {"numeric": [">=", 7, "<=", 10]}])
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT


def test_noncompliance_8_listed_values_that_stop_at_high():
    stack = new_stack()
    _detector(stack)
    _findings_rule(stack, _encrypted_topic(stack), severity=[round(4 + i / 10, 1) for i in range(50)])
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED
