import re
from typing import Any

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import text
from nag_rules.delivery import CLOUDWATCH, TOPIC, arn_of, deliver, match, outside_topic
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, unresolved

ALARM_INVOKER = "lambda.alarms.cloudwatch.amazonaws.com"
SCALING_POLICIES = ("AWS::AutoScaling::ScalingPolicy", "AWS::ApplicationAutoScaling::ScalingPolicy")
EC2_ACTION = re.compile(r"arn:aws[a-z-]*:automate:([a-z0-9-]+):ec2:(stop|terminate|reboot|recover)")
LEGACY_EC2_ACTION = re.compile(
    r"arn:aws[a-z-]*:swf:([a-z0-9-]+):(\d{12}):action/actions/AWS_EC2\.InstanceId\.(Stop|Terminate|Reboot)/1\.0")
OPS_ITEM = re.compile(r"arn:aws[a-z-]*:ssm:([a-z0-9-]+):(\d{12}):opsitem:\d(#CATEGORY=[A-Za-z]+)?")
OUTSIDE = {"lambda": "a Lambda function", "ssm-incidents": "an Incident Manager response plan",
           "autoscaling": "a scaling policy", "application-autoscaling": "a scaling policy"}
"""Actions named by an ARN outside the app that CloudWatch accepts, but whose existence (and, for a
function, whether it lets CloudWatch invoke it) cannot be known at synth time."""


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
            return Check(outcome, "AlarmActions: " + "; ".join(found))
    enabled_text = "(absent: true)" if enabled is None else show(enabled)
    return compliant(f"ActionsEnabled = {enabled_text}; AlarmActions: " + "; ".join(c.evidence for c in checks))


def _action(alarm: Resource, action: Any) -> Check:
    target = alarm.target(action)
    if target is not None:
        if target.type == TOPIC:
            return deliver(alarm, target, CLOUDWATCH, subscribed=False, same_region=False)
        if target.type in SCALING_POLICIES:
            return compliant(f"{target.path} (scaling policy)")
        if target.type == "AWS::SSMIncidents::ResponsePlan":
            return compliant(f"{target.path} (Incident Manager response plan)")
        if target.type in ("AWS::Lambda::Function", "AWS::Lambda::Alias", "AWS::Lambda::Version"):
            return _function(alarm, target)
        return non_compliant(f"{target.path} ({target.type}): not something a CloudWatch alarm can act on")
    arn = text(action, alarm)
    if arn is None:
        return unresolved(f"{show(action)} (known only at deploy time)")
    region, account = alarm.stack.region, alarm.stack.account
    if (found := EC2_ACTION.fullmatch(arn)) is not None:
        if found.group(1) != region:
            return non_compliant(f"{arn}: an EC2 action of region {found.group(1)}, not {region}")
        return compliant(f"{arn} (EC2 {found.group(2)} action)")
    if (found := LEGACY_EC2_ACTION.fullmatch(arn) or OPS_ITEM.fullmatch(arn)) is not None:
        if (found.group(1), found.group(2)) != (region, account):
            return non_compliant(f"{arn}: an action of {found.group(2)}/{found.group(1)}, not {account}/{region}")
        return compliant(f"{arn} ({'Systems Manager OpsItem' if ':opsitem:' in arn else 'EC2 action'})")
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        return non_compliant(f"{arn}: not an ARN CloudWatch can act on")
    if parts[2] == "sns":
        return outside_topic(alarm, arn, "CloudWatch", same_region=False)
    if parts[2] in OUTSIDE:
        if account is not None and parts[4] != account:
            return non_compliant(f"{arn}: {OUTSIDE[parts[2]]} of account {parts[4]}, not {account}")
        return unresolved(f"{arn}: {OUTSIDE[parts[2]]} outside this app, which cannot be checked at synth time")
    return non_compliant(f"{arn}: not an alarm action (SNS topic, scaling policy, EC2 action, OpsItem, "
                         "Incident Manager response plan or Lambda function)")


def _function(alarm: Resource, function: Resource) -> Check:
    """A function of the app acts on the alarm only if a resource policy lets CloudWatch alarms invoke it."""
    unknown = []
    for permission in alarm.stack.assembly.of_type("AWS::Lambda::Permission"):
        if permission.target(permission.prop("FunctionName")) is not function:
            continue
        principal, action = text(permission.prop("Principal"), permission), permission.prop("Action")
        if principal not in (ALARM_INVOKER, "*") or action not in ("lambda:InvokeFunction", "lambda:*"):
            continue
        source_arn, source_account = permission.prop("SourceArn"), permission.prop("SourceAccount")
        checks = [True]
        if source_arn is not None:
            pattern = text(source_arn, permission)
            checks.append(True if permission.target(source_arn) is alarm else
                          None if pattern is None else match(pattern, arn_of(alarm)))
        if source_account is not None:
            checks.append(text(source_account, permission) == alarm.stack.account)
        if all(c is True for c in checks):
            return compliant(f"{function.path} (Lambda function; {permission.path} lets CloudWatch alarms invoke it)")
        if None in checks:
            unknown.append(permission.path)
    if unknown:
        return unresolved(f"{function.path} (Lambda function): whether {', '.join(unknown)} covers this alarm is "
                          "known only at deploy time")
    return non_compliant(f"{function.path} (Lambda function): no AWS::Lambda::Permission lets {ALARM_INVOKER} "
                         "invoke it for this alarm")


RULE = Rule(
    name="AlarmHasAction",
    clauses=("CLD.12.4.5", "16.1.2"),
    resource_types=("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"),
    info="The CloudWatch alarm has no enabled alarm action, or an action CloudWatch cannot carry out.",
    explanation=(
        "Monitoring only helps if someone hears of it: every alarm keeps ActionsEnabled and every AlarmActions "
        "entry is one CloudWatch can carry out. An SNS topic must be of this app and account, encrypted with a "
        "customer managed key whose policy lets cloudwatch.amazonaws.com use it (kms:GenerateDataKey*, "
        "kms:Decrypt), and its topic policy, if it has one, must let cloudwatch.amazonaws.com publish "
        "(key.allow_service('cloudwatch.amazonaws.com') and a topic policy statement, as ServiceMonitoring adds); "
        "an AWS managed key (alias/aws/sns) cannot be used by CloudWatch. Scaling policies, EC2 stop/terminate/"
        "reboot/recover actions of the alarm's region, Systems Manager OpsItems, Incident Manager response plans "
        "and Lambda functions that a permission lets lambda.alarms.cloudwatch.amazonaws.com invoke are accepted "
        "and named; an ARN of another account, or of anything else, is not."
    ),
    check=alarm_has_action,
    security_hub=("CloudWatch.15", "CloudWatch.17"),
)
