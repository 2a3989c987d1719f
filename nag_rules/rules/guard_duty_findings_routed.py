import operator
from typing import Any

from nag_rules.assembly import Resource, show
from nag_rules.delivery import event_pattern, first_of, matches_source, routing_verdict, rule_problems, \
    rules_in_environment
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant

SOURCE = "aws.guardduty"
DETAIL_TYPE = "GuardDuty Finding"
MEDIUM, MAXIMUM = 4.0, 10.0
"""GuardDuty severities: low 1.0-3.9, medium 4.0-6.9, high 7.0-8.9, critical 9.0-10.0."""

COMPARISONS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "=": operator.eq}


def guard_duty_findings_routed(resource: Resource) -> Check:
    checks = [c for c in (_rule(r) for r in rules_in_environment(resource)) if c is not None]
    if checks:
        return first_of(checks)
    return non_compliant(f"no EventBridge rule in {resource.stack.environment} matches {SOURCE} events: findings "
                         "reach no one")


def _rule(rule: Resource) -> Check | None:
    """Whether ``rule`` sends every GuardDuty finding of medium severity or above to a topic that EventBridge
    can publish to and someone subscribes to; None if it does not match GuardDuty findings at all."""
    pattern = event_pattern(rule)
    if not isinstance(pattern, dict):
        return pattern
    if not matches_source(pattern, SOURCE):
        return None
    problems, unknown = rule_problems(rule, pattern, "GuardDuty")
    problems += _pattern_problems(pattern)
    delivered = routing_verdict(rule, problems, unknown, "GuardDuty findings")
    if delivered.outcome is not Outcome.COMPLIANT:
        return delivered
    severity = (pattern.get("detail") or {}).get("severity")
    filtered = "every severity" if severity is None else f"severity {show(severity)}"
    return compliant(f"{rule.path} sends {SOURCE} {DETAIL_TYPE} events ({filtered}) to {delivered.evidence}")


def _pattern_problems(pattern: dict[str, Any]) -> list[str]:
    """Why the pattern leaves out some findings of medium severity or above (empty if it does not)."""
    problems = []
    types = pattern.get("detail-type")
    if types is not None and (not isinstance(types, list) or DETAIL_TYPE not in types):
        problems.append(f"detail-type = {show(types)}, not {DETAIL_TYPE}")
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


RULE = Rule(
    name="GuardDutyFindingsRouted",
    clauses=("16.1.1", "16.1.2", "CLD.12.4.5"),
    resource_types=("AWS::GuardDuty::Detector",),
    info="No enabled EventBridge rule delivers the detector's findings of medium severity and above to an "
         "encrypted SNS topic that EventBridge can publish to and someone subscribes to.",
    explanation=(
        "Security incidents and their signs are reported: in the detector's account and region an enabled "
        "EventBridge rule on the default event bus matches source aws.guardduty, detail-type "
        "GuardDuty Finding and every severity from 4.0 (medium) to 10.0 (detail.severity "
        '[{"numeric": [">=", 4]}] or no severity filter), filters on nothing else, and targets an SNS topic '
        "of this app, encrypted with a customer managed key, with at least one subscription. EventBridge must be "
        "able to publish: either as events.amazonaws.com (the topic policy allows it sns:Publish and the key "
        "policy lets it use the key for kms:GenerateDataKey* and kms:Decrypt without aws:SourceAccount or "
        "aws:SourceArn conditions, which its requests to KMS do not carry), or through the target's RoleArn "
        "(a role trusting events.amazonaws.com whose policies allow sns:Publish on the topic and kms:Decrypt, "
        "kms:GenerateDataKey* on its key, and a key policy admitting the role, directly or through the account "
        "with kms:ViaService sns.<region>.amazonaws.com or an aws:PrincipalArn naming it)."
    ),
    check=guard_duty_findings_routed,
)
