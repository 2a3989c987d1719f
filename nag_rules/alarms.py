"""CloudWatch alarms that watch a metric of one resource: found by the dimensions that name it, and counted
only if they can fire (a comparison in the metric's direction, a threshold inside its range), tell someone
(ActionsEnabled, AlarmActions) and live in the region and account where the metric is published."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from nag_rules.assembly import Resource, getatt, is_intrinsic, show
from nag_rules.cfn import text

ALARM = "AWS::CloudWatch::Alarm"
EDGE_REGION = "us-east-1"
"""Where CloudFront web ACL and Route 53 health check metrics are published."""

RISING = ("GreaterThanThreshold", "GreaterThanOrEqualToThreshold")
FALLING = ("LessThanThreshold", "LessThanOrEqualToThreshold")

Matcher = Callable[[Resource, Any], "bool | None"]
"""Given an alarm and a dimension value: True if the value names the resource, False if it names something
else, None if it is known only at deploy time."""


@dataclass(frozen=True)
class Metric:
    namespace: str
    name: str
    rises: bool = True
    """Trouble is the value rising (the alarm must compare GreaterThan...), else falling (LessThan...)."""
    high: float | None = None
    """The largest value the metric takes (100 for a percentage); None if unbounded. None is ever below 0."""
    capacity: bool = False
    """A use or headroom: a threshold of 0 would fire on any use, or only once nothing is left."""
    silence_is_trouble: bool = False
    """No data means the check stopped: the alarm must treat missing data as breaching."""

    def __str__(self) -> str:
        return f"{self.namespace} {self.name}"


@dataclass(frozen=True)
class Watch:
    """One metric of one resource, as CloudWatch identifies it: namespace, name, exactly these dimensions,
    in one region and account."""

    metric: Metric
    dimensions: dict[str, Matcher]
    region: str | None
    account: str | None

    def describe(self) -> str:
        return f"{self.metric} by {', '.join(sorted(self.dimensions))}"


@dataclass
class Found:
    """The alarms on a watched metric: those that count, those that cannot (and why), those that depend on
    values known only at deploy time."""

    watch: Watch
    label: str = ""
    """What is watched, when it is more than the watch's one metric."""
    acting: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def alarms_on(watch: Watch, assembly: Any) -> Found:
    found = Found(watch)
    for alarm in assembly.of_type(ALARM):
        matched, note = _watches(alarm, watch)
        if matched is False:
            continue
        if note:
            found.unknown.append(f"{alarm.path} ({note})")
            continue
        refused, unknown = _judge(alarm, watch)
        if refused:
            found.refused.append(f"{alarm.path} ({refused})")
        elif unknown or matched is None:
            found.unknown.append(f"{alarm.path} ({unknown or 'its metric or a dimension is known only at deploy time'})")
        else:
            found.acting.append(f"{alarm.path} ({alarm.prop('ComparisonOperator')} {show(alarm.prop('Threshold'))})")
    return found


def reference(owner: Resource, value: Any) -> tuple[Resource, str] | None:
    """The resource ``value`` names and what of it: ``Ref`` or a GetAtt attribute, following other stacks'
    outputs; None if it names no resource of the assembly."""
    stack = owner.stack
    if isinstance(value, dict) and len(value) == 1:
        produced = stack.assembly.output(value)
        if produced is not None:
            stack, value = produced
    if isinstance(value, dict) and list(value) == ["Ref"] and isinstance(value["Ref"], str):
        resource = stack.resources.get(value["Ref"])
        return (resource, "Ref") if resource is not None else None
    parts = getatt(value)
    if parts is not None and parts[0] in stack.resources:
        return stack.resources[parts[0]], parts[1]
    return None


def names(resource: Resource, *attributes: str, literal: Any = None, ignore_case: bool = False) -> Matcher:
    """A dimension value that is one of ``resource``'s ``attributes`` (default its Ref) by reference, or its
    literal name."""
    accepted = attributes or ("Ref",)

    def matcher(alarm: Resource, value: Any) -> bool | None:
        found = reference(alarm, value)
        if found is not None:
            return found[0] is resource and found[1] in accepted
        written = text(value, alarm)
        if written is None:
            return None
        if not isinstance(literal, str):
            return False
        return written.lower() == literal.lower() if ignore_case else written == literal

    return matcher


def literally(expected: str) -> Matcher:
    def matcher(alarm: Resource, value: Any) -> bool | None:
        written = text(value, alarm)
        return None if written is None else written == expected
    return matcher


def summary(found: Iterable[tuple[str, Found]]) -> tuple[list[str], list[str], list[str]]:
    """(evidence, missing, unknown) texts over ``(what, alarms found)`` pairs."""
    evidence, missing, unknown = [], [], []
    for what, result in found:
        if result.acting:
            evidence.append(f"{what}: {', '.join(result.acting)}")
        elif result.unknown:
            unknown.append(f"{what}: {'; '.join(result.unknown)}")
        else:
            refused = f" ({'; '.join(result.refused)})" if result.refused else ""
            missing.append(f"{what} ({result.label or result.watch.describe()}){refused}")
    return evidence, missing, unknown


def _watches(alarm: Resource, watch: Watch) -> tuple[bool | None, str]:
    """Whether the alarm evaluates ``watch``'s metric, and a note when that hides behind metric math."""
    metrics = alarm.prop("Metrics")
    if metrics is None:
        return _same_metric(alarm, alarm.properties, watch), ""
    if not isinstance(metrics, list) or any(not isinstance(q, dict) for q in metrics):
        return None, f"Metrics = {show(metrics)}"
    stats = {q.get("Id"): (q.get("MetricStat") or {}).get("Metric") for q in metrics if "MetricStat" in q}
    returned = [q for q in metrics if q.get("ReturnData", True) in (True, "true")]
    if len(returned) != 1:
        return None, "Metrics returns no single series"
    query = returned[0]
    expression = query.get("Expression")
    metric = stats.get(expression.strip() if isinstance(expression, str) else query.get("Id"))
    if isinstance(metric, dict):
        return _same_metric(alarm, metric, watch), ""
    inputs = [_same_metric(alarm, m if isinstance(m, dict) else {}, watch) for m in stats.values()]
    if any(m is not False for m in inputs):
        return None, f"metric math {show(expression)} over it: what it alarms on cannot be read offline"
    return False, ""


def _same_metric(alarm: Resource, metric: dict[str, Any], watch: Watch) -> bool | None:
    identity = (metric.get("Namespace"), metric.get("MetricName"))
    if identity != (watch.metric.namespace, watch.metric.name):
        return None if any(is_intrinsic(part) for part in identity) else False
    dimensions = metric.get("Dimensions") or []
    if not isinstance(dimensions, list) or any(not isinstance(d, dict) for d in dimensions):
        return None
    given = [d.get("Name") for d in dimensions]
    if sorted(map(str, given)) != sorted(watch.dimensions):
        return False
    verdicts = [watch.dimensions[d["Name"]](alarm, d.get("Value")) for d in dimensions]
    if False in verdicts:
        return False
    return None if None in verdicts else True


def _judge(alarm: Resource, watch: Watch) -> tuple[str, str]:
    """(why it cannot count, why it may not count); both empty when it counts."""
    metric = watch.metric
    for what, needed, actual in (("region", watch.region, alarm.stack.region),
                                 ("account", watch.account, alarm.stack.account)):
        if needed is not None and actual is not None and needed != actual:
            return f"in {what} {actual}, where no {metric} of it is published ({needed})", ""
        if needed != actual:
            return "", f"its {what} or the metric's is known only at deploy time"
    if alarm.condition:
        return "", f"created only if condition {alarm.condition} holds"
    enabled = alarm.prop("ActionsEnabled")
    if is_intrinsic(enabled):
        return "", f"ActionsEnabled = {show(enabled)}"
    if enabled in (False, "false"):
        return "ActionsEnabled = false", ""
    actions = alarm.prop("AlarmActions")
    if is_intrinsic(actions):
        return "", f"AlarmActions = {show(actions)}"
    if not actions:
        return "no AlarmActions", ""
    if alarm.prop("ThresholdMetricId") is not None:
        return "", "an anomaly detection band: its bounds cannot be read offline"
    operator, threshold = alarm.prop("ComparisonOperator"), alarm.prop("Threshold")
    if is_intrinsic(operator) or is_intrinsic(threshold):
        return "", f"ComparisonOperator = {show(operator)}, Threshold = {show(threshold)}"
    try:
        value = float(threshold)
    except (TypeError, ValueError):
        return f"Threshold = {show(threshold)}", ""
    missing = alarm.prop("TreatMissingData", default="missing")
    if metric.silence_is_trouble and missing != "breaching":
        if is_intrinsic(missing):
            return "", f"TreatMissingData = {show(missing)}"
        return f"TreatMissingData = {show(missing)}: when the check stops reporting, the alarm stays silent", ""
    return _sensible(metric, str(operator), value), ""


def _sensible(metric: Metric, operator: str, threshold: float) -> str:
    """Why ``operator threshold`` cannot warn of trouble on ``metric``; "" if it can."""
    if operator not in RISING + FALLING:
        return f"ComparisonOperator = {operator}"
    rising = operator in RISING
    if rising != metric.rises:
        return (f"{operator}: it alarms when {metric.name} {'rises' if rising else 'falls'}, and the trouble is "
                f"its {'rise' if metric.rises else 'fall'}")
    high, shown = metric.high, f"{operator} {threshold:g}"
    fires = {
        "GreaterThanThreshold": high is None or threshold < high,
        "GreaterThanOrEqualToThreshold": high is None or threshold <= high,
        "LessThanThreshold": threshold > 0,
        "LessThanOrEqualToThreshold": threshold >= 0,
    }[operator]
    if not fires:
        limit = f"never exceeds {high:g}" if rising else "is never below 0"
        return f"{shown}: {metric.name} {limit}, so it never fires"
    rests = {
        "GreaterThanThreshold": threshold >= 0,
        "GreaterThanOrEqualToThreshold": threshold > 0,
        "LessThanThreshold": high is None or threshold <= high,
        "LessThanOrEqualToThreshold": high is None or threshold < high,
    }[operator]
    if not rests:
        return f"{shown}: always in ALARM, whatever {metric.name} is"
    if metric.capacity and threshold <= 0:
        return f"{shown}: {'fires on any use' if rising else 'fires only once nothing is left'}"
    return ""
