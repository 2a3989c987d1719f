from collections import Counter

from nag_rules.assembly import Resource
from nag_rules.cfn import customer_managed_key
from nag_rules.delivery import describe_subscriptions, subscriptions, tls_enforced
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, not_applicable, unresolved

SENDERS = {
    "AWS::CloudWatch::Alarm": ("AlarmActions", "OKActions", "InsufficientDataActions"),
    "AWS::CloudWatch::CompositeAlarm": ("AlarmActions", "OKActions", "InsufficientDataActions"),
    "AWS::Events::Rule": ("Targets",),
    "AWS::Backup::BackupVault": ("Notifications",),
}
"""The resources whose notifications go to a topic, and the properties that name it."""
NAMES = {"AWS::CloudWatch::Alarm": "alarm", "AWS::CloudWatch::CompositeAlarm": "composite alarm",
         "AWS::Events::Rule": "EventBridge rule", "AWS::Backup::BackupVault": "backup vault"}


def notifications_delivered(resource: Resource) -> Check:
    senders = {r.path: r.type for r, where in resource.stack.assembly.referrers(resource)
               if where and where[0] in SENDERS.get(r.type, ()) and where[-1] != "RoleArn"}
    if not senders:
        return not_applicable("no alarm, EventBridge rule or vault notification sends to this topic")
    counts = Counter(NAMES[t] for t in senders.values())
    used = ", ".join(f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in sorted(counts.items()))
    problems, unknown, proofs = [], [], []
    protocols = subscriptions(resource)
    if protocols:
        proofs.append(f"subscriptions: {describe_subscriptions(protocols)}")
    else:
        problems.append("no subscription in this app: its notifications reach no one")
    key = resource.prop("KmsMasterKeyId")
    found = None if key is None else customer_managed_key(resource, key, "KmsMasterKeyId")
    if found is None:
        problems.append("KmsMasterKeyId absent: notifications are stored unencrypted")
    elif isinstance(found, Check):
        (unknown if found.outcome is Outcome.UNRESOLVED else problems).append(found.evidence)
    else:
        proofs.append(f"KmsMasterKeyId = {found} (customer managed)")
    enforced, evidence = tls_enforced(resource)
    (proofs if enforced else problems if enforced is False else unknown).append(evidence)
    if problems:
        return non_compliant(f"used by {used}: " + "; ".join(problems))
    if unknown:
        return unresolved(f"used by {used}: " + "; ".join(unknown))
    return compliant(f"used by {used}; " + "; ".join(proofs))


RULE = Rule(
    name="NotificationsDelivered",
    clauses=("16.1.1",),
    resource_types=("AWS::SNS::Topic",),
    info="A topic that alarms, EventBridge rules or backup vaults notify has no subscription, no customer "
         "managed key, or accepts publishing without TLS.",
    explanation=(
        "Security events are reported through management channels: a topic that CloudWatch alarms, EventBridge "
        "rules or AWS Backup vault notifications send to has at least one subscription in this app "
        "(NotificationTopic subscribes each security contact's e-mail address), is encrypted with a customer "
        "managed key (KmsMasterKeyId naming a key of this app), and its topic policy denies sns:Publish to "
        "every principal when aws:SecureTransport is false (enforce_ssl=True). Topics nothing sends to are not "
        "evaluated."
    ),
    check=notifications_delivered,
)
