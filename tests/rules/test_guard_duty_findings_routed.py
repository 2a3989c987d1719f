import json

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_guardduty as guardduty
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions

from constructs_lib import DataClass, DataClassKey, NotificationTopic
from constructs_lib.posture import IncidentRouting
from nag_rules import Status
from nag_rules.rules.guard_duty_findings_routed import RULE
from tests.helpers import TOKYO, evaluations_of, new_app, new_stack, only

EVENTS = iam.ServicePrincipal("events.amazonaws.com")


def _detector(stack: cdk.Stack) -> guardduty.CfnDetector:
    return guardduty.CfnDetector(stack, "Detector", enable=True)


def _subscribed(topic: sns.Topic) -> sns.Topic:
    topic.add_subscription(subscriptions.EmailSubscription("security@example.com"))
    return topic


def _topic(stack: cdk.Stack, key: kms.IKey | None = None) -> sns.Topic:
    """Subscribed and encrypted; targets.SnsTopic lets EventBridge publish and use the key."""
    return _subscribed(sns.Topic(stack, "Topic", master_key=key or kms.Key(stack, "Key", enable_key_rotation=True)))


def _findings_rule(stack: cdk.Stack, topic: sns.ITopic, severity=None, role: iam.IRole | None = None) -> events.Rule:
    detail = {"severity": severity} if severity is not None else None
    rule = events.Rule(stack, "Findings", event_pattern=events.EventPattern(
        source=["aws.guardduty"], detail_type=["GuardDuty Finding"], detail=detail))
    rule.add_target(targets.SnsTopic(topic, role=role))
    return rule


def _cfn_rule(stack: cdk.Stack, topic: sns.ITopic, role_arn: str | None = None) -> events.CfnRule:
    """A rule that, unlike targets.SnsTopic, grants nothing on the topic or its key."""
    return events.CfnRule(stack, "Findings", event_pattern={"source": ["aws.guardduty"]}, targets=[
        events.CfnRule.TargetProperty(arn=topic.topic_arn, id="Topic", role_arn=role_arn)])


def _role(stack: cdk.Stack, **props) -> iam.Role:
    return iam.Role(stack, "Role", assumed_by=EVENTS, **props)


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
    _findings_rule(stack, _topic(stack), severity=[{"numeric": [">=", 7]}])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "leaves out some findings of severity 4.0 to 10.0" in evaluation.evidence


def test_noncompliance_3_unencrypted_topic():
    stack = new_stack()
    _detector(stack)
    _findings_rule(stack, _subscribed(sns.Topic(stack, "Plain")))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "Test/Plain/Resource has no KmsMasterKeyId" in evaluation.evidence


def test_noncompliance_4_rule_in_another_region_does_not_count():
    app = new_app()
    tokyo = cdk.Stack(app, "Tokyo", env=TOKYO)
    virginia = cdk.Stack(app, "Virginia", env=cdk.Environment(account=TOKYO.account, region="us-east-1"))
    _detector(tokyo)
    _findings_rule(virginia, _topic(virginia))
    evaluation = only(evaluations_of(tokyo, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "no EventBridge rule" in evaluation.evidence


def test_noncompliance_5_disabled_rule_and_custom_bus():
    stack = new_stack()
    _detector(stack)
    bus = events.EventBus(stack, "Bus")
    rule = events.Rule(stack, "Findings", enabled=False, event_bus=bus,
                       event_pattern=events.EventPattern(source=["aws.guardduty"]))
    rule.add_target(targets.SnsTopic(_topic(stack)))
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
    rule.add_target(targets.SnsTopic(_topic(stack)))
    evidence = only(evaluations_of(stack, RULE)).evidence
    assert "filters events by region" in evidence and "filters findings by detail.type" in evidence


def test_noncompliance_8_listed_values_that_stop_at_high():
    stack = new_stack()
    _detector(stack)
    _findings_rule(stack, _topic(stack), severity=[round(4 + i / 10, 1) for i in range(50)])
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_9_topic_with_the_aws_managed_key():
    stack = new_stack()
    _detector(stack)
    _findings_rule(stack, _topic(stack, kms.Alias.from_alias_name(stack, "Managed", "alias/aws/sns")))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "an AWS managed key (its key policy cannot admit events.amazonaws.com" in evaluation.evidence


def test_noncompliance_10_key_that_refuses_eventbridge():
    """The topic policy lets EventBridge publish, but the key's default policy admits only the account."""
    stack = new_stack()
    _detector(stack)
    topic = _topic(stack)
    topic.add_to_resource_policy(iam.PolicyStatement(principals=[EVENTS], actions=["sns:Publish"],
                                                     resources=[topic.topic_arn]))
    _cfn_rule(stack, topic)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "key Test/Key/Resource's policy does not let events.amazonaws.com use it" in evaluation.evidence


def test_noncompliance_11_key_admitting_eventbridge_only_under_source_account():
    """EventBridge's requests to KMS for an SNS target carry no aws:SourceAccount: such a statement never applies."""
    stack = new_stack()
    _detector(stack)
    key = DataClassKey(stack, "Key", data_class=DataClass.OPERATIONS, alias_prefix="test")
    key.allow_service("events.amazonaws.com")
    topic = _topic(stack, key)
    topic.add_to_resource_policy(iam.PolicyStatement(principals=[EVENTS], actions=["sns:Publish"],
                                                     resources=[topic.topic_arn]))
    _cfn_rule(stack, topic)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "statement AllowEventsOfThisAccount names it, but not for this request" in evaluation.evidence
    assert "carry no aws:SourceAccount" in evaluation.evidence


def test_noncompliance_12_topic_nobody_subscribes_to():
    stack = new_stack()
    _detector(stack)
    _findings_rule(stack, sns.Topic(stack, "Topic", master_key=kms.Key(stack, "Key", enable_key_rotation=True)))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "Test/Topic/Resource has no subscription in this app" in evaluation.evidence


def test_noncompliance_13_no_topic_policy_admits_eventbridge():
    stack = new_stack()
    _detector(stack)
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    key.add_to_resource_policy(iam.PolicyStatement(principals=[EVENTS], actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                                                   resources=["*"]))
    _cfn_rule(stack, _topic(stack, key))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "has no topic policy, and SNS's default one admits only principals of the account" in evaluation.evidence


def test_noncompliance_14_role_without_key_permissions():
    stack = new_stack()
    _detector(stack)
    topic = _topic(stack)
    role = _role(stack)
    role.add_to_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=[topic.topic_arn]))
    _cfn_rule(stack, topic, role.role_arn)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert ("role Test/Role/Resource may not use key Test/Key/Resource for kms:GenerateDataKey: the key policy "
            "leaves it to IAM") in evaluation.evidence


def test_noncompliance_15_role_events_cannot_assume():
    stack = new_stack()
    _detector(stack)
    topic = _topic(stack)
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    topic.grant_publish(role)
    _cfn_rule(stack, topic, role.role_arn)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "role Test/Role/Resource does not let events.amazonaws.com assume it" in evaluation.evidence


def test_noncompliance_16_key_admitting_neither_the_role_nor_sns():
    """A data-class key admits the account only through other services, or roles named test-*."""
    stack = new_stack()
    _detector(stack)
    key = DataClassKey(stack, "Key", data_class=DataClass.CUSTOMER, alias_prefix="test")
    topic = _topic(stack, key)
    role = _role(stack, role_name="other-incidents")
    _findings_rule(stack, topic, role=role)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "the key policy admits neither the role nor the account through SNS" in evaluation.evidence


def test_noncompliance_17_generated_role_name_against_a_name_pattern_is_unresolved():
    stack = new_stack()
    _detector(stack)
    key = DataClassKey(stack, "Key", data_class=DataClass.CUSTOMER, alias_prefix="test")
    _findings_rule(stack, _topic(stack, key), role=_role(stack))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert ("statement UseByThisServicesOwnRoles depends on values known only at deploy time (the role's name, "
            "which CloudFormation generates)") in evaluation.evidence


def test_compliance_1_medium_and_above_published_by_eventbridge_itself():
    stack = new_stack()
    _detector(stack)
    _findings_rule(stack, _topic(stack), severity=[{"numeric": [">=", 4]}])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT, evaluation.evidence
    assert evaluation.evidence == (
        'Test/Findings/Resource sends aws.guardduty GuardDuty Finding events (severity [{"numeric":[">=",4]}]) to '
        "Test/Topic/Resource: events.amazonaws.com may publish (topic policy Test/Topic/Policy/Resource statement 0) "
        "and use key Test/Key/Resource (statement #2); subscriptions: 1 email")


def test_compliance_2_json_pattern_in_another_stack_of_the_same_environment():
    app = new_app()
    security = cdk.Stack(app, "Security", env=TOKYO)
    alerts = cdk.Stack(app, "Alerts", env=TOKYO)
    _detector(security)
    key = kms.Key(alerts, "Key", enable_key_rotation=True)
    key.add_to_resource_policy(iam.PolicyStatement(sid="EventBridge", principals=[EVENTS],
                                                   actions=["kms:GenerateDataKey*", "kms:Decrypt"], resources=["*"]))
    topic = _topic(alerts, key)
    topic.add_to_resource_policy(iam.PolicyStatement(sid="Publish", principals=[EVENTS], actions=["sns:Publish"],
                                                     resources=[topic.topic_arn]))
    rule = events.CfnRule(alerts, "Findings", event_pattern={"source": ["aws.guardduty"]},
                          targets=[events.CfnRule.TargetProperty(arn=topic.topic_arn, id="Topic")])
    rule.add_property_override("EventPattern", json.dumps({"source": ["aws.guardduty"]}))
    evaluation = only(evaluations_of(security, RULE))
    assert evaluation.status is Status.COMPLIANT, evaluation.evidence
    assert "Alerts/Findings sends" in evaluation.evidence and "every severity" in evaluation.evidence
    assert ("(topic policy Alerts/Topic/Policy/Resource statement Publish) and use key Alerts/Key/Resource "
            "(statement EventBridge)") in evaluation.evidence


def test_compliance_3_severity_as_listed_values_and_ranges():
    stack = new_stack()
    _detector(stack)
    tenths = [round(4 + i / 10, 1) for i in range(30)]
    _findings_rule(stack, _topic(stack), severity=[*tenths, {"numeric": [">=", 7, "<=", 10]}])
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT


def test_compliance_4_through_a_role_the_key_admits_by_name():
    stack = new_stack()
    _detector(stack)
    key = DataClassKey(stack, "Key", data_class=DataClass.CUSTOMER, alias_prefix="test")
    _findings_rule(stack, _topic(stack, key), role=_role(stack, role_name="test-incidents"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT, evaluation.evidence
    assert ("through role Test/Role/Resource (it trusts events.amazonaws.com; Test/Role/DefaultPolicy/Resource allows "
            "sns:Publish and kms:GenerateDataKey, kms:Decrypt; key Test/Key/Resource admits it: "
            "statement UseByThisServicesOwnRoles)") in evaluation.evidence


def test_compliance_5_incident_routing_of_the_app():
    """IncidentRouting publishes through its role, which the operations key admits through SNS."""
    stack = new_stack()
    _detector(stack)
    key = DataClassKey(stack, "Key", data_class=DataClass.OPERATIONS, alias_prefix="test")
    IncidentRouting(stack, "Incidents", topic=NotificationTopic(stack, "Topic", key=key, emails=["s@example.com"]))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT, evaluation.evidence
    assert ("Test/Incidents/GuardDutyFindings/Resource sends aws.guardduty GuardDuty Finding events (severity "
            '[{"numeric":[">=",4]}]) to Test/Topic/Resource through role Test/Incidents/Role/Resource (it trusts '
            "events.amazonaws.com; Test/Incidents/Role/Permissions/Resource allows sns:Publish and "
            "kms:GenerateDataKey, kms:Decrypt; key Test/Key/Resource admits it: "
            "statement UseThroughTheServicesThatStoreThisClass); subscriptions: 1 email") == evaluation.evidence
