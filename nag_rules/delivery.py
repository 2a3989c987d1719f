"""Whether a notification reaches people: the AWS service that raises it (CloudWatch, EventBridge, AWS Backup),
itself or through a role it assumes, may publish to an SNS topic of the app and use the topic's customer
managed key, and someone subscribes to the topic.

Policies are evaluated as AWS evaluates one request: an explicit Deny wins, then any Allow. Each answer is
True, False, or None when a part of it is known only at deploy time (or lies outside the app).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Mapping

from nag_rules.assembly import Resource, contains_intrinsic, is_intrinsic, show
from nag_rules.cfn import HOLE, as_json, customer_managed_key, text, text_with_holes
from nag_rules.engine import Check, Outcome, compliant, non_compliant, unresolved

Tri = bool | None

CLOUDWATCH = "cloudwatch.amazonaws.com"
EVENTS = "events.amazonaws.com"
BACKUP = "backup.amazonaws.com"
TOPIC = "AWS::SNS::Topic"
KMS_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")
"""What a publisher needs of an encrypted topic's key (kms:GenerateDataKey* covers the first)."""
ENABLED_STATES = (None, "ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
SOURCE_OWNER_SERVICES = (CLOUDWATCH,)
"""Services whose Publish carries AWS:SourceOwner, which SNS's default topic policy requires."""
SOURCELESS_KMS_SERVICES = (EVENTS,)
"""Services whose requests to KMS for an SNS topic carry neither aws:SourceAccount nor aws:SourceArn
(Amazon SNS Developer Guide, key management: not supported for EventBridge-to-encrypted topics)."""


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()
"""A condition key the request is known not to carry."""


@dataclass(frozen=True)
class Known:
    """A condition key's value in the request, with the resource it is the ARN of (matched by reference)."""

    text: str
    resource: Resource | None = None


@dataclass(frozen=True)
class Request:
    principal: Resource | str
    """A role of the app, or a service principal's name."""
    action: str
    resource: Resource | None
    arn: str
    """The ARN of the resource acted on, HOLE where only deploy time knows."""
    context: Mapping[str, Known | _Absent]
    """Lower-case condition keys; a key not listed is unknown."""


Statement = tuple[Any, Resource, str]
"""A policy statement, the resource whose template it is in (to resolve references), and its label."""


@dataclass
class Scan:
    """Which statements of a policy apply to one request."""

    allow: Tri = False
    """An Allow that suffices on its own."""
    account: Tri = False
    """An Allow naming only the account: the principal's IAM policies must allow too."""
    deny: Tri = False
    allowing: list[str] = field(default_factory=list)
    denying: list[str] = field(default_factory=list)
    naming: list[str] = field(default_factory=list)
    """Statements naming the principal whose other parts do not hold."""
    open: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ three-valued logic

def _or(*values: Tri) -> Tri:
    return True if True in values else (None if None in values else False)


def _and(*values: Tri) -> Tri:
    return False if False in values else (None if None in values else True)


def _not(value: Tri) -> Tri:
    return None if value is None else not value


def verdict(allow: Tri, deny: Tri) -> Tri:
    if deny is True or allow is False:
        return False
    return True if deny is False and allow is True else None


def cite(labels: list[str]) -> str:
    """``statement A`` or ``statements A, B``."""
    labels = list(dict.fromkeys(labels))
    return f"statement{'s' if len(labels) > 1 else ''} {', '.join(labels)}"


def _pending(labels: list[str], role: Resource | None = None, outside: list[str] | None = None) -> str:
    """Why a verdict waits for deploy time: statements that depend on deploy-time values (a generated role
    name), policies outside the app."""
    reasons = [f"{o} is outside this app" for o in outside or []]
    if labels or not reasons:
        generated = " (the role's name, which CloudFormation generates)" \
            if role is not None and role.prop("RoleName") is None else ""
        reasons.insert(0, f"{cite(labels)} depend{'' if len(set(labels)) > 1 else 's'} on values known only at "
                          f"deploy time{generated}" if labels else "values known only at deploy time")
    return "; ".join(reasons)


# ------------------------------------------------------------------ ARNs and matching

def arn_of(resource: Resource) -> str:
    """The resource's ARN, HOLE where only deploy time knows (a generated name, an unknown environment)."""
    account, region = resource.stack.account or HOLE, resource.stack.region or HOLE

    def name(key: str) -> str:
        value = resource.prop(key)
        return HOLE if value is None else (text_with_holes(value, resource) or HOLE)

    kind = resource.type
    if kind == TOPIC:
        return f"arn:aws:sns:{region}:{account}:{name('TopicName')}"
    if kind == "AWS::KMS::Key":
        return f"arn:aws:kms:{region}:{account}:key/{HOLE}"
    if kind == "AWS::IAM::Role":
        path = resource.prop("Path")
        path = path if isinstance(path, str) else "/"
        return f"arn:aws:iam::{account}:role{path}{name('RoleName')}"
    if kind in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
        return f"arn:aws:cloudwatch:{region}:{account}:alarm:{name('AlarmName')}"
    if kind == "AWS::Events::Rule":
        return f"arn:aws:events:{region}:{account}:rule/{name('Name')}"
    if kind == "AWS::Backup::BackupVault":
        return f"arn:aws:backup:{region}:{account}:backup-vault:{name('BackupVaultName')}"
    return HOLE


def match(pattern: str, value: str, *, wildcards: bool = True, ignore_case: bool = False) -> Tri:
    """Whether ``pattern`` (with ``*`` and ``?`` if ``wildcards``) matches ``value``, whose HOLE parts may be
    anything: True if it matches whatever they are, False if the text before the first hole already rules it
    out, else None."""
    if HOLE in pattern:
        return None
    flags = re.IGNORECASE if ignore_case else 0
    expression = re.escape(pattern)
    if wildcards:
        expression = expression.replace(r"\*", ".*").replace(r"\?", ".")
    if HOLE not in value:
        return re.fullmatch(expression, value, flags) is not None
    if all(re.fullmatch(expression, value.replace(HOLE, sample), flags) for sample in ("a", "Zz9-_.q/x")):
        return True
    prefix = value.split(HOLE, 1)[0]
    literal = re.split(r"[*?]", pattern, maxsplit=1)[0] if wildcards else pattern
    length = min(len(prefix), len(literal))
    fold = str.lower if ignore_case else str
    return None if fold(prefix[:length]) == fold(literal[:length]) else False


# ------------------------------------------------------------------ policy evaluation

def statements(document: Any, owner: Resource, label: str = "") -> list[Statement] | None:
    """The statements of a policy document (an object or JSON text); None if it cannot be read."""
    policy = as_json(document)
    found = policy.get("Statement") if isinstance(policy, dict) else None
    found = [found] if isinstance(found, dict) else found
    if not isinstance(found, list):
        return None
    prefix = f"{label} " if label else ""

    def sid(statement: Any, index: int) -> str:
        value = statement.get("Sid") if isinstance(statement, dict) else None
        return value if isinstance(value, str) and value else f"#{index}"

    return [(s, owner, prefix + sid(s, i)) for i, s in enumerate(found, 1)]


def scan(found: list[Statement], request: Request, *, resource_policy: bool) -> Scan:
    """Which of ``found`` allow or deny ``request``; a resource policy also matches its Principal."""
    result = Scan()
    for statement, owner, label in found:
        if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
            result.deny = _or(result.deny, None)
            result.open.append(label)
            continue
        kind: str | bool | None = _principal(statement, request, owner) if resource_policy else "direct"
        named = True if kind in ("direct", "account") else kind
        rest = _and(_actions(statement, request.action), _resources(statement, request, owner),
                    _conditions(statement.get("Condition"), request, owner))
        applies = _and(named, rest)
        if applies is None:
            result.open.append(label)
        if named is True and rest is False and statement["Effect"] == "Allow":
            result.naming.append(label)
        if applies is False:
            continue
        if statement["Effect"] == "Deny":
            result.deny = _or(result.deny, applies)
            if applies:
                result.denying.append(label)
        elif kind == "account":
            result.account = _or(result.account, applies)
            if applies:
                result.allowing.append(label)
        else:
            result.allow = _or(result.allow, applies)
            if applies:
                result.allowing.append(label)
    return result


_RANK = {False: 0, None: 1, "account": 2, "direct": 3}


def _principal(statement: dict[str, Any], request: Request, owner: Resource) -> str | bool | None:
    """``direct`` if the statement names the requester, ``account`` if it names the requester's account (root),
    False if neither, None if only deploy time knows."""
    if "NotPrincipal" in statement:
        return None
    principal = statement.get("Principal")
    if principal == "*":
        return "direct"
    if not isinstance(principal, dict) or is_intrinsic(principal):
        return None
    best: str | bool | None = False
    for kind, values in principal.items():
        for value in values if isinstance(values, list) else [values]:
            found = _one_principal(kind, value, request, owner)
            best = found if _RANK[found] > _RANK[best] else best  # type: ignore[index]
    return best


def _one_principal(kind: str, value: Any, request: Request, owner: Resource) -> str | bool | None:
    requester = request.principal
    if kind == "Service":
        name = text(value, owner)
        return None if name is None else ("direct" if name == requester else False)
    if kind != "AWS":
        return False
    target = owner.target(value)
    if target is not None:
        return "direct" if target is requester else False
    arn = text_with_holes(value, owner)
    if arn is None or HOLE in arn:
        return None
    if arn == "*":
        return "direct"
    if isinstance(requester, str):
        return False
    account = requester.stack.account
    root = re.fullmatch(r"(\d{12})|arn:aws[a-z-]*:iam::(\d{12}):root", arn)
    if root:
        return "account" if account is not None and account in root.groups() else (None if account is None else False)
    found = match(arn, arn_of(requester), wildcards=False)
    return "direct" if found else found


def _actions(statement: dict[str, Any], action: str) -> Tri:
    negate = "Action" not in statement
    values = statement.get("Action", statement.get("NotAction"))
    values = values if isinstance(values, list) else [values]
    if not all(isinstance(v, str) for v in values):
        return None
    return any(match(v, action, ignore_case=True) for v in values) != negate


def _resources(statement: dict[str, Any], request: Request, owner: Resource) -> Tri:
    if "Resource" not in statement and "NotResource" not in statement:
        return True
    negate = "Resource" not in statement
    values = statement.get("Resource", statement.get("NotResource"))
    found = []
    for value in values if isinstance(values, list) else [values]:
        target = owner.target(value)
        if target is not None:
            found.append(target is request.resource)
            continue
        pattern = text_with_holes(value, owner)
        found.append(None if pattern is None else match(pattern, request.arn))
    hit = _or(*found)
    return _not(hit) if negate else hit


_STRING_OPERATORS = {
    "stringequals": (False, False), "stringnotequals": (False, False),
    "stringequalsignorecase": (False, True), "stringnotequalsignorecase": (False, True),
    "stringlike": (True, False), "stringnotlike": (True, False),
    "arnequals": (True, False), "arnnotequals": (True, False), "arnlike": (True, False), "arnnotlike": (True, False),
}
"""Operator: (wildcards, ignore case)."""


def _conditions(condition: Any, request: Request, owner: Resource) -> Tri:
    if condition is None:
        return True
    if not isinstance(condition, dict) or is_intrinsic(condition):
        return None
    results: list[Tri] = []
    for operator, entries in condition.items():
        if not isinstance(entries, dict) or is_intrinsic(entries):
            return None
        for key, values in entries.items():
            results.append(_clause(operator, key, values if isinstance(values, list) else [values], request, owner))
    return _and(*results)


def _clause(operator: str, key: str, values: list[Any], request: Request, owner: Resource) -> Tri:
    name = operator.lower().removeprefix("foranyvalue:")
    if_exists = name.endswith("ifexists")
    name = name.removesuffix("ifexists")
    actual = request.context.get(key.lower())
    if name == "null":
        wanted = show(values[0]).lower() == "true" if values else None
        return None if actual is None or wanted is None else (actual is ABSENT) == wanted
    if actual is None or name.startswith("forallvalues:"):
        return None
    negated = "not" in name
    if isinstance(actual, _Absent):
        return True if if_exists or negated else False
    if name == "bool":
        hit = _or(*[show(v).lower() == actual.text.lower() if not is_intrinsic(v) else None for v in values])
    elif name in _STRING_OPERATORS:
        wildcards, ignore_case = _STRING_OPERATORS[name]
        hit = _or(*[_value(v, actual, owner, wildcards, ignore_case) for v in values])
    else:
        return None
    return _not(hit) if negated else hit


def _value(value: Any, actual: Known, owner: Resource, wildcards: bool, ignore_case: bool) -> Tri:
    if actual.resource is not None and owner.target(value) is actual.resource:
        return True
    pattern = show(value) if isinstance(value, bool) else text_with_holes(value, owner)
    return None if pattern is None else match(pattern, actual.text, wildcards=wildcards, ignore_case=ignore_case)


# ------------------------------------------------------------------ the pieces of a topic

def topic_key(topic: Resource, publisher: str) -> Resource | Check:
    """The customer managed key of the app that encrypts ``topic``, or the verdict."""
    value = topic.prop("KmsMasterKeyId")
    if value is None:
        return non_compliant(f"{topic.path} has no KmsMasterKeyId: notifications are stored unencrypted")
    found = customer_managed_key(topic, value, "KmsMasterKeyId")
    if isinstance(found, Check):
        managed = " (its key policy cannot admit " + publisher + ", so nothing it sends arrives)" \
            if found.outcome is Outcome.NON_COMPLIANT else ""
        return Check(found.outcome, f"{topic.path}: {found.evidence}{managed}")
    target = topic.target(value)
    if target is not None and target.type == "AWS::KMS::Alias":
        target = target.target(target.prop("TargetKeyId"))
    assert target is not None
    return target


def key_policy(key: Resource) -> list[Statement] | None:
    """The key policy's statements; KMS's default policy (the account may use the key as IAM allows) when absent."""
    raw = key.prop("KeyPolicy")
    if raw is None:
        return [({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{key.stack.account or HOLE}:root"},
                  "Action": "kms:*", "Resource": "*"}, key, "KMS's default key policy")]
    return statements(raw, key)


def topic_policies(topic: Resource) -> list[Resource]:
    """The AWS::SNS::TopicPolicy and AWS::SNS::TopicInlinePolicy resources of the app that name ``topic``."""
    assembly = topic.stack.assembly
    found = [p for p in assembly.of_type("AWS::SNS::TopicPolicy")
             if isinstance(topics := p.prop("Topics"), list) and any(p.target(t) is topic for t in topics)]
    return found + [p for p in assembly.of_type("AWS::SNS::TopicInlinePolicy")
                    if p.target(p.prop("TopicArn")) is topic]


def topic_policy(topic: Resource) -> tuple[Resource | None, list[Statement]] | Check:
    """The topic's policy and its statements; SNS's default policy (principals of the topic owner's account)
    when the app gives it none."""
    policies = topic_policies(topic)
    if len(policies) > 1:
        return unresolved(f"{topic.path} has {len(policies)} topic policies ({', '.join(p.path for p in policies)}): "
                          "the one deployed last replaces the others")
    if not policies:
        default = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish", "Resource": "*",
                   "Condition": {"StringEquals": {"AWS:SourceOwner": topic.stack.account or HOLE}}}
        return None, [(default, topic, "SNS's default topic policy")]
    policy = policies[0]
    found = statements(policy.prop("PolicyDocument"), policy)
    if found is None:
        return unresolved(f"{policy.path}: PolicyDocument = {show(policy.prop('PolicyDocument'))[:200]}")
    return policy, found


def subscriptions(topic: Resource) -> list[str]:
    """The protocol of each subscription to ``topic`` in the app (inline or AWS::SNS::Subscription)."""
    inline = topic.prop("Subscription", default=[]) or []
    found = [text(entry.get("Protocol"), topic) or "?" for entry in inline if isinstance(entry, dict)] \
        if isinstance(inline, list) else ["?"]
    for subscription in topic.stack.assembly.of_type("AWS::SNS::Subscription"):
        if subscription.target(subscription.prop("TopicArn")) is topic:
            found.append(text(subscription.prop("Protocol"), subscription) or "?")
    return found


def describe_subscriptions(protocols: list[str]) -> str:
    counts = Counter(protocols)
    return ", ".join(f"{count} {protocol}" for protocol, count in sorted(counts.items()))


def tls_enforced(topic: Resource) -> tuple[Tri, str]:
    """Whether the topic policy denies every principal sns:Publish when aws:SecureTransport is false, and
    the statement (or the reason) that says so."""
    found = topic_policy(topic)
    if isinstance(found, Check):
        return None, found.evidence
    policy, listed = found
    if policy is None:
        return False, "no topic policy refuses publishing without TLS (aws:SecureTransport)"
    plain = Request("*", "sns:Publish", topic, arn_of(topic), {"aws:securetransport": Known("false")})
    secure = Request("*", "sns:Publish", topic, arn_of(topic), {"aws:securetransport": Known("true")})
    for statement, owner, label in listed:
        if not isinstance(statement, dict) or statement.get("Effect") != "Deny":
            continue
        everyone = statement.get("Principal") == "*" or (
            isinstance(statement.get("Principal"), dict) and statement["Principal"].get("AWS") in ("*", ["*"]))
        if everyone and "NotPrincipal" not in statement and _actions(statement, "sns:Publish") and \
                _resources(statement, plain, owner) and \
                _conditions(statement.get("Condition"), plain, owner) is True and \
                _conditions(statement.get("Condition"), secure, owner) is False:
            return True, f"{policy.path} denies sns:Publish without TLS ({label})"
    return False, f"{policy.path} has no Deny of sns:Publish for aws:SecureTransport false"


# ------------------------------------------------------------------ delivery

def deliver(source: Resource, topic: Resource, service: str, *, role: Any = None, subscribed: bool = True,
            same_region: bool = True) -> Check:
    """Whether ``service``, raising a notification from ``source`` (an alarm, a rule, a vault), can publish
    it to ``topic``: itself, or through the role ``role`` names (an EventBridge target's RoleArn); and, with
    ``subscribed``, whether someone subscribes to the topic."""
    if None in (topic.stack.account, source.stack.account) or (same_region and None in (topic.stack.region,
                                                                                          source.stack.region)):
        return unresolved(f"{topic.path} is in {topic.stack.environment}, {source.path} in "
                          f"{source.stack.environment}: whether they share an account is known only at deploy time")
    if topic.stack.account != source.stack.account or (same_region and topic.stack.region != source.stack.region):
        return non_compliant(f"{topic.path} is in {topic.stack.environment}, {source.path} in "
                             f"{source.stack.environment}: {service} publishes only within its own account"
                             + (" and region" if same_region else ""))
    key = topic_key(topic, service)
    if isinstance(key, Check):
        return key
    if role is not None:
        route = _through_role(source, topic, key, service, role)
    else:
        route = _as_service(source, topic, key, service)
    if route.outcome is not Outcome.COMPLIANT or not subscribed:
        return route
    protocols = subscriptions(topic)
    if not protocols:
        return non_compliant(f"{topic.path} has no subscription in this app: notifications reach no one")
    return compliant(f"{route.evidence}; subscriptions: {describe_subscriptions(protocols)}")


def outside_topic(source: Resource, arn: str, service: str, *, same_region: bool = True) -> Check:
    """A topic named by an ARN outside the app."""
    parts = arn.split(":")
    if len(parts) == 6 and parts[2] == "sns":
        account, region = source.stack.account, source.stack.region
        if account is not None and parts[4] != account:
            return non_compliant(f"{arn}: an SNS topic of account {parts[4]}, not {account}")
        if same_region and region is not None and parts[3] != region:
            return non_compliant(f"{arn}: an SNS topic of region {parts[3]}; {service} publishes only to its own")
    return unresolved(f"{arn}: an SNS topic outside this app; whether {service} may publish to it and use its "
                      "key, and who subscribes, cannot be known at synth time")


def _source_context(source: Resource) -> dict[str, Known | _Absent]:
    context: dict[str, Known | _Absent] = {"aws:sourcearn": Known(arn_of(source), source)}
    if source.stack.account:
        context["aws:sourceaccount"] = Known(source.stack.account)
    return context


def _as_service(source: Resource, topic: Resource, key: Resource, service: str) -> Check:
    account = source.stack.account
    context = {**_source_context(source), "aws:securetransport": Known("true")}
    if service not in SOURCE_OWNER_SERVICES:
        context["aws:sourceowner"] = ABSENT
    elif account:
        context["aws:sourceowner"] = Known(account)
    policy = topic_policy(topic)
    if isinstance(policy, Check):
        return policy
    owner, listed = policy
    where = f"topic policy {owner.path}" if owner is not None else f"{topic.path}'s default topic policy"
    publish = scan(listed, Request(service, "sns:Publish", topic, arn_of(topic), context), resource_policy=True)
    allowed = verdict(publish.allow, publish.deny)
    if allowed is False:
        if owner is None:
            return non_compliant(f"{topic.path} has no topic policy, and SNS's default one admits only principals "
                                 f"of the account (AWS:SourceOwner), not {service}")
        why = f" (denied by {', '.join(publish.denying)})" if publish.deny else ""
        return non_compliant(f"{where} does not let {service} publish to {topic.path}{why}")
    if allowed is None:
        return unresolved(f"whether {where} lets {service} publish to {topic.path}: {_pending(publish.open)}")
    key_context: dict[str, Known | _Absent] = dict(_source_context(source))
    if service in SOURCELESS_KMS_SERVICES:
        key_context.update({"aws:sourcearn": ABSENT, "aws:sourceaccount": ABSENT})
    key_context["kms:encryptioncontext:aws:sns:topicarn"] = Known(arn_of(topic), topic)
    use = _use_key(key, service, key_context)
    if use.outcome is not Outcome.COMPLIANT:
        return use
    allowing = cite(publish.allowing) if owner is not None else "principals of the account, AWS:SourceOwner"
    return compliant(f"{topic.path}: {service} may publish ({where} {allowing}) and use key {key.path} "
                     f"({use.evidence})")


def _use_key(key: Resource, service: str, context: Mapping[str, Known | _Absent]) -> Check:
    listed = key_policy(key)
    if listed is None:
        return unresolved(f"key {key.path}: KeyPolicy = {show(key.prop('KeyPolicy'))[:200]}")
    labels: list[str] = []
    for action in KMS_ACTIONS:
        found = scan(listed, Request(service, action, key, arn_of(key), context), resource_policy=True)
        allowed = verdict(found.allow, found.deny)
        if allowed is False:
            named = (f"; {cite(found.naming)} name{'s' if len(set(found.naming)) == 1 else ''} it, but not for "
                     "this request (action, resource or condition)") if found.naming else ""
            note = (" (EventBridge's requests to KMS for an SNS target carry no aws:SourceAccount or aws:SourceArn)"
                    if named and service in SOURCELESS_KMS_SERVICES else "")
            return non_compliant(f"key {key.path}'s policy does not let {service} use it for {action}{named}{note}: "
                                 "nothing it publishes to the encrypted topic arrives")
        if allowed is None:
            return unresolved(f"whether key {key.path}'s policy lets {service} use it for {action}: "
                              f"{_pending(found.open)}")
        labels.extend(found.allowing)
    return compliant(cite(labels))


def identity_statements(role: Resource) -> tuple[list[Statement], list[Statement] | None, list[str]]:
    """The statements of every IAM policy of the app attached to ``role`` (inline, AWS::IAM::Policy,
    AWS::IAM::ManagedPolicy), of its permissions boundary (None without one), and the policies it names
    that are outside the app."""
    found: list[Statement] = []
    outside: list[str] = []
    for index, inline in enumerate(role.prop("Policies", default=[]) or []):
        if isinstance(inline, dict):
            name = inline.get("PolicyName") if isinstance(inline.get("PolicyName"), str) else f"#{index + 1}"
            found += statements(inline.get("PolicyDocument"), role, f"{role.path} {name}") or []
    attached: dict[int, Resource] = {}
    for policy in role.stack.assembly.of_type("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        roles = policy.prop("Roles")
        if isinstance(roles, list) and any(policy.target(r) is role for r in roles):
            attached[id(policy)] = policy
    for arn in role.prop("ManagedPolicyArns", default=[]) or []:
        policy = role.target(arn)
        if policy is not None and policy.type == "AWS::IAM::ManagedPolicy":
            attached[id(policy)] = policy
        else:
            outside.append(show(arn))
    for policy in attached.values():
        found += statements(policy.prop("PolicyDocument"), policy, policy.path) or []
    boundary = None
    value = role.prop("PermissionsBoundary")
    if value is not None:
        policy = role.target(value)
        boundary = statements(policy.prop("PolicyDocument"), policy, policy.path) or [] \
            if policy is not None and policy.type == "AWS::IAM::ManagedPolicy" else None
        if boundary is None:
            outside.append(f"permissions boundary {show(value)}")
            boundary = []
    return found, boundary, outside


def _through_role(source: Resource, topic: Resource, key: Resource, service: str, value: Any) -> Check:
    role = source.target(value)
    if role is None or role.type != "AWS::IAM::Role":
        return unresolved(f"RoleArn = {show(value)}: a role outside this app, whose permissions cannot be checked")
    trust = statements(role.prop("AssumeRolePolicyDocument"), role)
    if trust is None:
        return unresolved(f"{role.path}: AssumeRolePolicyDocument = {show(role.prop('AssumeRolePolicyDocument'))}")
    assume = scan(trust, Request(service, "sts:AssumeRole", role, arn_of(role), _source_context(source)),
                  resource_policy=True)
    trusted = verdict(assume.allow, assume.deny)
    if trusted is False:
        return non_compliant(f"role {role.path} does not let {service} assume it")
    if trusted is None:
        return unresolved(f"whether role {role.path} lets {service} assume it: {_pending(assume.open)}")
    found, boundary, outside = identity_statements(role)
    context = {"aws:principalarn": Known(arn_of(role), role), "aws:securetransport": Known("true")}
    if role.stack.account:
        context["aws:principalaccount"] = Known(role.stack.account)

    def identity(request: Request) -> tuple[Tri, Tri, list[str]]:
        own = scan(found, request, resource_policy=False)
        allow = _or(own.allow, None if outside else False)
        if boundary is not None:
            limit = scan(boundary, request, resource_policy=False)
            allow = _and(allow, _or(limit.allow, None if outside else False))
        return allow, own.deny, own.allowing

    publish = Request(role, "sns:Publish", topic, arn_of(topic), context)
    policy = topic_policy(topic)
    if isinstance(policy, Check):
        return policy
    owner, listed = policy
    resource = scan(listed, publish, resource_policy=True) if owner is not None else Scan()
    allow, deny, granting = identity(publish)
    allowed = verdict(_or(allow, resource.allow), _or(deny, resource.deny))
    if allowed is False:
        return non_compliant(f"role {role.path} may not publish to {topic.path}: no policy attached to it (nor the "
                             "topic policy) allows sns:Publish on the topic" if not (deny or resource.deny) else
                             f"role {role.path} may not publish to {topic.path}: denied by "
                             f"{', '.join(resource.denying) or 'its IAM policies'}")
    if allowed is None:
        return unresolved(f"whether role {role.path} may publish to {topic.path}: "
                          + _pending(resource.open, role, outside))
    listed_key = key_policy(key)
    if listed_key is None:
        return unresolved(f"key {key.path}: KeyPolicy = {show(key.prop('KeyPolicy'))[:200]}")
    key_context = {**context, "kms:calleraccount": Known(role.stack.account or HOLE),
                   "kms:viaservice": Known(f"sns.{topic.stack.region or HOLE}.amazonaws.com"),
                   "kms:encryptioncontext:aws:sns:topicarn": Known(arn_of(topic), topic)}
    key_labels: list[str] = []
    for action in KMS_ACTIONS:
        request = Request(role, action, key, arn_of(key), key_context)
        admits = scan(listed_key, request, resource_policy=True)
        allow, deny, grants = identity(request)
        allowed = verdict(_or(admits.allow, _and(admits.account, allow)), _or(admits.deny, deny))
        if allowed is False:
            if admits.deny or deny:
                why = f"denied by {', '.join(admits.denying) or 'its IAM policies'}"
            elif admits.account is False and admits.allow is False:
                why = ("the key policy admits neither the role nor the account through SNS (kms:ViaService) or the "
                       "role's name (aws:PrincipalArn)")
            else:
                why = "the key policy leaves it to IAM, and no policy attached to the role allows it on the key"
            return non_compliant(f"role {role.path} may not use key {key.path} for {action}: {why}")
        if allowed is None:
            return unresolved(f"whether role {role.path} may use key {key.path} for {action}: "
                              + _pending(admits.open, role, outside))
        key_labels.extend(admits.allowing)
        granting += grants if admits.allow is not True else []
    policies = list(dict.fromkeys(label.rsplit(" ", 1)[0] for label in granting))
    grants = f"{', '.join(policies)} allow{'s' if len(policies) == 1 else ''}" if policies else "its policies allow"
    return compliant(f"{topic.path} through role {role.path} (it trusts {service}; {grants} sns:Publish and "
                     f"{', '.join(KMS_ACTIONS)}; key {key.path} admits it: {cite(key_labels)})")


# ------------------------------------------------------------------ EventBridge rules

def rules_in_environment(resource: Resource) -> list[Resource]:
    """The EventBridge rules of the app in ``resource``'s account and region."""
    stack = resource.stack
    return [r for r in stack.assembly.of_type("AWS::Events::Rule")
            if (r.stack.account, r.stack.region) == (stack.account, stack.region)]


def event_pattern(rule: Resource) -> dict[str, Any] | Check | None:
    """The rule's event pattern; the verdict if only deploy time knows it; None if it has none."""
    raw = rule.prop("EventPattern")
    pattern = as_json(raw)
    if isinstance(pattern, dict):
        return pattern
    return unresolved(f"{rule.path}: EventPattern = {show(raw)[:200]}") if contains_intrinsic(raw) else None


def matches_source(pattern: dict[str, Any], source: str) -> bool:
    sources = pattern.get("source")
    return isinstance(sources, list) and source in sources


def rule_problems(rule: Resource, pattern: dict[str, Any], service: str) -> tuple[list[str], list[str]]:
    """Why the rule misses events ``service`` sends to the default bus of its account and region (State,
    EventBusName, account or region filters), and what only deploy time knows."""
    problems, unknown = [], []
    state, bus = rule.prop("State"), rule.prop("EventBusName")
    if is_intrinsic(state):
        unknown.append(f"State = {show(state)}")
    elif state not in ENABLED_STATES:
        problems.append(f"State = {show(state)}")
    custom = rule.target(bus)
    if custom is not None:
        problems.append(f"EventBusName = {custom.path}: {service} publishes to the default bus")
    elif is_intrinsic(bus):
        unknown.append(f"EventBusName = {show(bus)}")
    elif bus not in (None, "default") and not (isinstance(bus, str) and bus.endswith(":event-bus/default")):
        problems.append(f"EventBusName = {show(bus)}: {service} publishes to the default bus")
    stack = rule.stack
    for key, value in pattern.items():
        if key in ("source", "detail-type", "detail"):
            continue
        own = {"account": stack.account, "region": stack.region}.get(key)
        if own is None or not isinstance(value, list) or own not in [text(v, rule) for v in value]:
            problems.append(f"filters events by {key} = {show(value)}")
    return problems, unknown


def rule_delivers(rule: Resource) -> Check:
    """Whether one of the rule's targets is an SNS topic of the app that EventBridge can publish to, with
    someone subscribed."""
    targets = rule.prop("Targets", default=[])
    if not isinstance(targets, list):
        return unresolved(f"Targets = {show(targets)}")
    checks = []
    for target in targets:
        if not isinstance(target, dict):
            checks.append(unresolved(f"target {show(target)}"))
            continue
        arn = target.get("Arn")
        found = rule.target(arn)
        if found is not None and found.type == TOPIC:
            checks.append(deliver(rule, found, EVENTS, role=target.get("RoleArn")))
        elif found is not None:
            checks.append(non_compliant(f"{found.path} ({found.type}): not an SNS topic"))
        elif (literal := text(arn, rule)) is None:
            checks.append(unresolved(f"target {show(arn)} (known only at deploy time)"))
        elif literal.startswith("arn:") and literal.split(":")[2:3] == ["sns"]:
            checks.append(outside_topic(rule, literal, EVENTS))
        else:
            checks.append(non_compliant(f"{literal}: not an SNS topic"))
    if not checks:
        return non_compliant("no targets")
    return first_of(checks)


def first_of(checks: list[Check], separator: str = "; ") -> Check:
    """The first compliant check; else every unresolved one; else every violation."""
    for outcome in (Outcome.COMPLIANT, Outcome.UNRESOLVED):
        found = [c.evidence for c in checks if c.outcome is outcome]
        if found:
            return Check(outcome, found[0] if outcome is Outcome.COMPLIANT else separator.join(found))
    return non_compliant(separator.join(c.evidence for c in checks))


def routing_verdict(rule: Resource, problems: list[str], unknown: list[str], what: str) -> Check:
    """The verdict on a rule that matches ``what`` (events of a source) given the problems and unknowns its
    pattern has: compliant, with the delivery as evidence, only when nothing is wrong and the events reach
    someone."""
    if problems:
        return non_compliant(f"{rule.path}: " + "; ".join(problems))
    if unknown:
        return unresolved(f"{rule.path}: " + "; ".join(unknown))
    delivered = rule_delivers(rule)
    if delivered.outcome is not Outcome.COMPLIANT:
        how = "but delivers them to no one" if delivered.outcome is Outcome.NON_COMPLIANT else \
            "; whether it delivers them"
        return Check(delivered.outcome, f"{rule.path} matches {what} {how}: {delivered.evidence}")
    if rule.condition is not None:
        return unresolved(f"{rule.path} exists only if Condition {rule.condition} holds")
    return delivered
