from typing import Any

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import text
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, unresolved

KINDS = {"sns": "an SNS topic", "automate": "an EC2 action", "ssm": "a Systems Manager OpsItem",
         "ssm-incidents": "an Incident Manager response plan", "lambda": "a Lambda function"}


def alarm_has_action(resource: Resource) -> Check:
    enabled = resource.prop("ActionsEnabled")
    if is_intrinsic(enabled):
        return unresolved(f"ActionsEnabled = {show(enabled)}")
    if enabled in (False, "false"):
        return non_compliant("ActionsEnabled = false: the alarm changes state and tells no one")
    actions = resource.prop("AlarmActions")
    if is_intrinsic(actions):
        return unresolved(f"AlarmActions = {show(actions)}")
    if not actions or not isinstance(actions, list):
        return non_compliant("AlarmActions absent or empty: entering ALARM notifies no one")
    checks = [_action(resource, action) for action in actions]
    for outcome in (Outcome.NON_COMPLIANT, Outcome.UNRESOLVED):
        found = [c.evidence for c in checks if c.outcome is outcome]
        if found:
            return Check(outcome, "AlarmActions: " + ", ".join(found))
    enabled_text = "(absent: true)" if enabled is None else show(enabled)
    return compliant(f"ActionsEnabled = {enabled_text}; AlarmActions: " + ", ".join(c.evidence for c in checks))


def _action(alarm: Resource, action: Any) -> Check:
    target = alarm.target(action)
    if target is not None and target.type == "AWS::SNS::Topic":
        if target.prop("KmsMasterKeyId") is None:
            return non_compliant(f"{target.path} (SNS topic without KmsMasterKeyId: notifications stored unencrypted)")
        return compliant(f"{target.path} (SNS topic, KMS-encrypted)")
    if target is not None:
        return compliant(f"{target.path} ({target.type})")
    arn = text(action, alarm)
    if arn is not None:
        kind = next((k for service, k in KINDS.items() if f":{service}:" in arn), "an action")
        return compliant(f"{arn} ({kind} outside this app)")
    return unresolved(f"{show(action)} (known only at deploy time)")


RULE = Rule(
    name="AlarmHasAction",
    clauses=("CLD.12.4.5", "16.1.2"),
    resource_types=("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"),
    info="The CloudWatch alarm has no enabled alarm action, or notifies an unencrypted SNS topic.",
    explanation=(
        "Monitoring only helps if someone hears of it: every alarm keeps ActionsEnabled and names at "
        "least one AlarmActions entry, normally the KMS-encrypted operations SNS topic "
        "(alarm.add_alarm_action(cw_actions.SnsAction(topic))). Scaling policies and other resources of "
        "the app are accepted and named; an ARN outside the app is named as such."
    ),
    check=alarm_has_action,
    security_hub=("CloudWatch.15", "CloudWatch.17"),
)
