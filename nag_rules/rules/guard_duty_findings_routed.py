import operator
from typing import Any

from nag_rules.assembly import Resource, contains_intrinsic, is_intrinsic, show
from nag_rules.cfn import as_json, text
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, unresolved

SOURCE = "aws.guardduty"
DETAIL_TYPE = "GuardDuty Finding"
MEDIUM, MAXIMUM = 4.0, 10.0
"""GuardDuty severities: low 1.0-3.9, medium 4.0-6.9, high 7.0-8.9, critical 9.0-10.0."""

ENABLED_STATES = (None, "ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")

COMPARISONS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "=": operator.eq}


def guard_duty_findings_routed(resource: Resource) -> Check:
    stack = resource.stack
    rules = [r for r in stack.assembly.of_type("AWS::Events::Rule")
             if (r.stack.account, r.stack.region) == (stack.account, stack.region)]
    checks = [c for c in (_rule(r) for r in rules) if c is not None]
    for outcome in (Outcome.COMPLIANT, Outcome.UNRESOLVED):
        found = [c.evidence for c in checks if c.outcome is outcome]
        if found:
            return Check(outcome, "; ".join(found))
    if checks:
        return non_compliant("; ".join(c.evidence for c in checks))
    return non_compliant(f"no EventBridge rule in {stack.environment} matches {SOURCE} events: findings "
                         "reach no one")


def _rule(rule: Resource) -> Check | None:
    """Whether ``rule`` sends every GuardDuty finding of medium severity or above to an encrypted topic;
    None if it does not match GuardDuty findings at all."""
    raw = rule.prop("EventPattern")
    pattern = as_json(raw)
    if not isinstance(pattern, dict):
        return unresolved(f"{rule.path}: EventPattern = {show(raw)[:200]}") if contains_intrinsic(raw) else None
    sources = pattern.get("source")
    if not isinstance(sources, list) or SOURCE not in sources:
        return None
    problems = _pattern_problems(rule, pattern)
    unknown = []
    state, bus = rule.prop("State"), rule.prop("EventBusName")
    if is_intrinsic(state):
        unknown.append(f"State = {show(state)}")
    elif state not in ENABLED_STATES:
        problems.append(f"State = {show(state)}")
    custom = rule.target(bus)
    if custom is not None:
        problems.append(f"EventBusName = {custom.path}: GuardDuty publishes to the default bus")
    elif is_intrinsic(bus):
        unknown.append(f"EventBusName = {show(bus)}")
    elif bus not in (None, "default") and not (isinstance(bus, str) and bus.endswith(":event-bus/default")):
        problems.append(f"EventBusName = {show(bus)}: GuardDuty publishes to the default bus")
    if problems:
        return non_compliant(f"{rule.path}: " + "; ".join(problems))
    if unknown:
        return unresolved(f"{rule.path}: " + "; ".join(unknown))
    topics, others, unknown = _topics(rule)
    if not topics:
        targets = ", ".join(others + [f"{u} (known only at deploy time)" for u in unknown]) or "no targets"
        outcome = unresolved if unknown else non_compliant
        return outcome(f"{rule.path} matches GuardDuty findings but sends them to no KMS-encrypted SNS topic "
                       f"of this app: {targets}")
    if rule.condition is not None:
        return unresolved(f"{rule.path} exists only if Condition {rule.condition} holds")
    severity = (pattern.get("detail") or {}).get("severity")
    filtered = "every severity" if severity is None else f"severity {show(severity)}"
    return compliant(f"{rule.path} sends {SOURCE} {DETAIL_TYPE} events ({filtered}) to "
                     f"{', '.join(topics)} (SNS, KMS-encrypted)")


def _pattern_problems(rule: Resource, pattern: dict[str, Any]) -> list[str]:
    """Why the pattern leaves out some findings of medium severity or above (empty if it does not)."""
    problems = []
    types = pattern.get("detail-type")
    if types is not None and (not isinstance(types, list) or DETAIL_TYPE not in types):
        problems.append(f"detail-type = {show(types)}, not {DETAIL_TYPE}")
    stack = rule.stack
    for key, value in pattern.items():
        if key in ("source", "detail-type", "detail"):
            continue
        own = {"account": stack.account, "region": stack.region}.get(key)
        if own is None or not isinstance(value, list) or own not in [text(v, rule) for v in value]:
            problems.append(f"filters findings by {key} = {show(value)}")
    detail = pattern.get("detail") or {}
    if not isinstance(detail, dict):
        return [*problems, f"detail = {show(detail)}"]
    for key, value in detail.items():
        if key != "severity":
            problems.append(f"filters findings by detail.{key} = {show(value)}")
    if "severity" in detail and not _covers_medium_and_above(detail["severity"]):
        problems.append(f"severity filter {show(detail['severity'])} leaves out some findings of severity "
                        f"{MEDIUM} to {MAXIMUM}")
    return problems


def _covers_medium_and_above(matchers: Any) -> bool:
    """Whether an EventBridge severity filter matches every severity from 4.0 to 10.0, GuardDuty's severities
    being read as tenths (its own examples list them so: 4, 4.0, 4.1, ...). Literal numbers and ``numeric``
    comparisons count; any other matcher counts as matching nothing."""
    if not isinstance(matchers, list):
        return False
    severities = [round(MEDIUM + tenth / 10, 1) for tenth in range(int((MAXIMUM - MEDIUM) * 10) + 1)]
    return all(any(_matches(m, severity) for m in matchers) for severity in severities)


def _matches(matcher: Any, severity: float) -> bool:
    if isinstance(matcher, (int, float)) and not isinstance(matcher, bool):
        return float(matcher) == severity
    if not isinstance(matcher, dict) or list(matcher) != ["numeric"] or not isinstance(matcher["numeric"], list):
        return False
    operands = matcher["numeric"]
    if len(operands) not in (2, 4):
        return False
    for comparison, number in zip(operands[::2], operands[1::2]):
        if isinstance(number, bool) or not isinstance(number, (int, float)) or comparison not in COMPARISONS:
            return False
        if not COMPARISONS[comparison](severity, number):
            return False
    return True


def _topics(rule: Resource) -> tuple[list[str], list[str], list[str]]:
    """The rule's targets: KMS-encrypted SNS topics of the app, other targets, targets known only at deploy time."""
    targets = rule.prop("Targets", default=[])
    if not isinstance(targets, list):
        return [], [], [f"Targets = {show(targets)}"]
    topics, others, unknown = [], [], []
    for target in targets:
        arn = target.get("Arn") if isinstance(target, dict) else target
        found = rule.target(arn)
        if found is not None and found.type == "AWS::SNS::Topic":
            if found.prop("KmsMasterKeyId") is None:
                others.append(f"{found.path} (SNS topic without KmsMasterKeyId)")
            else:
                topics.append(found.path)
        elif found is not None:
            others.append(f"{found.path} ({found.type})")
        elif isinstance(arn, str):
            others.append(f"{arn} (outside this app)")
        else:
            unknown.append(show(arn))
    return topics, others, unknown


RULE = Rule(
    name="GuardDutyFindingsRouted",
    clauses=("16.1.1", "16.1.2", "CLD.12.4.5"),
    resource_types=("AWS::GuardDuty::Detector",),
    info="No enabled EventBridge rule sends the detector's findings of medium severity and above to a "
         "KMS-encrypted SNS topic.",
    explanation=(
        "Security incidents and their signs are reported: in the detector's account and region an enabled "
        "EventBridge rule on the default event bus matches source aws.guardduty, detail-type "
        "GuardDuty Finding and every severity from 4.0 (medium) to 10.0 (detail.severity "
        '[{"numeric": [">=", 4]}] or no severity filter), filters on nothing else, and targets an SNS topic '
        "of this app encrypted with a KMS key (events.Rule + targets.SnsTopic)."
    ),
    check=guard_duty_findings_routed,
)
