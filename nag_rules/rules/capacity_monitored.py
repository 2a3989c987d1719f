import json
import re
import shlex
from typing import Any

from nag_rules.alarms import Found, Metric, Watch, alarms_on, names, summary
from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import HOLE, text, user_data
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, not_applicable, unresolved

AGENT = "CWAgent"
CPU = Metric("AWS/EC2", "CPUUtilization", high=100, capacity=True)
MEMORY = Metric(AGENT, "mem_used_percent", high=100, capacity=True)
DISK = Metric(AGENT, "disk_used_percent", high=100, capacity=True)
DATABASE_CPU = Metric("AWS/RDS", "CPUUtilization", high=100, capacity=True)
CONNECTIONS = Metric("AWS/RDS", "DatabaseConnections", capacity=True)
FREE_STORAGE = Metric("AWS/RDS", "FreeStorageSpace", rises=False, capacity=True)
FREE_LOCAL_STORAGE = Metric("AWS/RDS", "FreeLocalStorage", rises=False, capacity=True)
VOLUME_LEFT = Metric("AWS/RDS", "AuroraVolumeBytesLeftTotal", rises=False, capacity=True)
VOLUME_USED = Metric("AWS/RDS", "VolumeBytesUsed", high=128 * 1024**4, capacity=True)
"""Aurora volumes grow to 128 TiB."""

AGENT_SECTIONS = {MEMORY.name: "mem", DISK.name: "disk"}
"""The agent configuration section that collects each CWAgent metric (``used_percent`` in both)."""
SERVER_TYPES = {"AWS::AutoScaling::AutoScalingGroup": "AutoScalingGroupName", "AWS::EC2::Instance": "InstanceId"}
DATABASE_DIMENSIONS = {"AWS::RDS::DBCluster": "DBClusterIdentifier", "AWS::RDS::DBInstance": "DBInstanceIdentifier"}


def capacity_monitored(resource: Resource) -> Check:
    if resource.type == "AWS::RDS::DBInstance" and resource.prop("DBClusterIdentifier") is not None:
        cluster = resource.target(resource.prop("DBClusterIdentifier"))
        if cluster is not None and cluster.type == "AWS::RDS::DBCluster":
            return not_applicable(f"a member of {cluster.path}, whose capacity alarms cover it")
        return unresolved(f"DBClusterIdentifier = {show(resource.prop('DBClusterIdentifier'))}: a member of a "
                          "cluster outside this app, whose capacity alarms cannot be seen here")
    if resource.type in SERVER_TYPES:
        found, notes = _server(resource)
    else:
        found, notes = _database(resource), []
    evidence, missing, unknown = summary(found)
    if missing:
        unsure = f"; unresolved: {'; '.join(unknown)}" if unknown else ""
        return non_compliant("no alarm with an action that can fire watches " + "; ".join(missing) + unsure)
    if unknown:
        return unresolved("; ".join(unknown))
    scaling = _scaling(resource)
    if isinstance(scaling, Check):
        return scaling
    return compliant("; ".join(evidence + notes + ([scaling] if scaling else [])))


def _watch(resource: Resource, metric: Metric, dimension: str, **matching: Any) -> Watch:
    return Watch(metric, {dimension: names(resource, **matching)}, resource.stack.region, resource.stack.account)


def _server(resource: Resource) -> tuple[list[tuple[str, Found]], list[str]]:
    dimension = SERVER_TYPES[resource.type]
    literal = resource.prop("AutoScalingGroupName") if dimension == "AutoScalingGroupName" else None
    assembly = resource.stack.assembly
    found = [(what, alarms_on(_watch(resource, metric, dimension, literal=literal), assembly))
             for what, metric in (("CPU", CPU), ("memory", MEMORY), ("disk", DISK))]
    published = _published(resource, dimension)
    notes: dict[str, list[str]] = {}
    for what, alarms in found[1:]:
        check = published[alarms.watch.metric.name]
        if not alarms.acting:
            continue
        if check.outcome is Outcome.COMPLIANT:
            notes.setdefault(check.evidence, []).append(what)
            continue
        unsure = check.outcome is Outcome.UNRESOLVED
        reason = f"{alarms.watch.metric} {'may not exist' if unsure else 'is published by nothing'}: {check.evidence}"
        (alarms.unknown if unsure else alarms.refused).extend(f"{alarm}, but {reason}" for alarm in alarms.acting)
        alarms.acting.clear()
    return found, [f"{' and '.join(whats)} published by {where}" for where, whats in notes.items()]


def _database(resource: Resource) -> list[tuple[str, Found]]:
    dimension = DATABASE_DIMENSIONS[resource.type]
    assembly = resource.stack.assembly
    literal = resource.prop(dimension)

    def on(metric: Metric, target: Resource = resource, key: str = dimension, name: Any = literal) -> Found:
        return alarms_on(_watch(target, metric, key, literal=name, ignore_case=True), assembly)

    found = [("CPU", on(DATABASE_CPU)), ("connections", on(CONNECTIONS))]
    engine = resource.prop("Engine")
    if resource.type == "AWS::RDS::DBInstance" or not (isinstance(engine, str) and engine.startswith("aurora")):
        return [*found, ("storage", on(FREE_STORAGE))]
    members = [r for r, where in assembly.referrers(resource)
               if r.type == "AWS::RDS::DBInstance" and where == ("DBClusterIdentifier",)]
    per_member = [(m, on(FREE_LOCAL_STORAGE, m, "DBInstanceIdentifier", m.prop("DBInstanceIdentifier")))
                  for m in members]
    options = [on(VOLUME_LEFT), on(VOLUME_USED)]
    storage = Found(options[0].watch, label=f"FreeLocalStorage of each instance by DBInstanceIdentifier, or "
                                            f"AuroraVolumeBytesLeftTotal or VolumeBytesUsed by {dimension}")
    if members and all(alarms.acting for _, alarms in per_member):
        storage.acting = [f"{member.path}: {alarms.acting[0]}" for member, alarms in per_member]
    for option in options:
        storage.acting += option.acting
        storage.refused += option.refused
        storage.unknown += option.unknown
    for member, alarms in per_member:
        storage.refused += [f"{member.path} {r}" for r in alarms.refused]
        storage.unknown += [f"{member.path} {u}" for u in alarms.unknown]
        if not alarms.acting and not alarms.refused and not alarms.unknown:
            storage.refused.append(f"none for {member.path}")
    return [*found, ("storage", storage)]


def _published(resource: Resource, dimension: str) -> dict[str, Check]:
    """Per CWAgent metric: whether the servers' user data starts the CloudWatch agent with a configuration that
    publishes it by ``dimension`` alone."""
    source = _user_data(resource)
    if isinstance(source, Check):
        return {metric: source for metric in AGENT_SECTIONS}
    where, script = source
    started = _agent_started(script)
    if started is None:
        verdict = unresolved(f"{where} holds values known only at deploy time and no line that starts the "
                             "CloudWatch agent") if HOLE in script else non_compliant(
            f"{where} never starts the CloudWatch agent (amazon-cloudwatch-agent-ctl -a fetch-config ... -s)")
        return {metric: verdict for metric in AGENT_SECTIONS}
    number, config_source = started
    started_by = f"{where} line {number}"
    config = _configuration(resource, config_source, started_by)
    if isinstance(config, Check):
        return {metric: config for metric in AGENT_SECTIONS}
    parameter, document = config
    return {metric: _collects(document, metric, dimension, f"{started_by} with {parameter.path}")
            for metric in AGENT_SECTIONS}


def _user_data(resource: Resource) -> tuple[str, str] | Check:
    """(where, script) of the user data the servers boot with."""
    if resource.type == "AWS::EC2::Instance" and resource.prop("UserData") is not None:
        source: Resource = resource
        keys: tuple[str, ...] = ("UserData",)
    else:
        spec = resource.prop("LaunchTemplate") or resource.prop(
            "MixedInstancesPolicy", "LaunchTemplate", "LaunchTemplateSpecification")
        if spec is not None:
            reference = spec.get("LaunchTemplateId", spec.get("LaunchTemplateName")) if isinstance(spec, dict) \
                else spec
            target = resource.target(reference)
            if target is None or target.type != "AWS::EC2::LaunchTemplate":
                return unresolved(f"LaunchTemplate = {show(spec)}: a launch template outside this app")
            source, keys = target, ("LaunchTemplateData", "UserData")
        elif resource.prop("LaunchConfigurationName") is not None:
            target = resource.target(resource.prop("LaunchConfigurationName"))
            if target is None or target.type != "AWS::AutoScaling::LaunchConfiguration":
                return unresolved(f"LaunchConfigurationName = {show(resource.prop('LaunchConfigurationName'))}: "
                                  "a launch configuration outside this app")
            source, keys = target, ("UserData",)
        else:
            return non_compliant("no user data: no CloudWatch agent runs")
    script = user_data(source, *keys)
    where = f"{source.path} UserData"
    if script is None:
        return non_compliant(f"{where} absent: no CloudWatch agent runs")
    return where, script


_CTL = re.compile(r"(?:^|/)amazon-cloudwatch-agent-ctl$")
_SYSTEMCTL_START = re.compile(r"\bsystemctl\s+(?:start|restart|enable\s+--now)\s+amazon-cloudwatch-agent(?:\.service)?\b")


def _agent_started(script: str) -> tuple[int, str | None] | None:
    """(line number, configuration source) of the line that starts the agent: ``-a fetch-config ... -s``, or
    ``-a start`` / systemctl after a fetch-config; None if no whole literal line starts it."""
    fetched: str | None = None
    for number, line in enumerate(script.split("\n"), 1):
        if HOLE in line or line.lstrip().startswith("#"):
            continue
        if _SYSTEMCTL_START.search(line):
            return number, fetched
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            continue
        for index, word in enumerate(words):
            if not _CTL.search(word):
                continue
            options = _options(words[index + 1:])
            if options.get("-a") == "fetch-config":
                fetched = options.get("-c", "file:/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json")
                if "-s" in options:
                    return number, fetched
            elif options.get("-a") == "start":
                return number, fetched
    return None


def _options(words: list[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    index = 0
    while index < len(words) and words[index] not in ("&&", "||", ";", "|"):
        word = words[index]
        if word == "-s":
            options["-s"] = ""
        elif word in ("-a", "-c", "-m") and index + 1 < len(words):
            options[word] = words[index + 1]
            index += 1
        index += 1
    return options


def _configuration(resource: Resource, source: str | None, started_by: str) -> tuple[Resource, Any] | Check:
    """The SSM parameter of this app holding the agent's configuration, and the configuration."""
    if source is None or not source.startswith("ssm:"):
        return unresolved(f"{started_by} starts the CloudWatch agent with configuration {source or 'from disk'}, "
                          "which is not in the template: what it publishes cannot be seen")
    name = source[len("ssm:"):]
    parameters = [p for p in resource.stack.assembly.of_type("AWS::SSM::Parameter")
                  if text(p.prop("Name"), p) == name and (p.stack.region, p.stack.account) == (
                      resource.stack.region, resource.stack.account)]
    if not parameters:
        return unresolved(f"{started_by} starts the CloudWatch agent with {source}, which is no SSM parameter of "
                          "this app: what it publishes cannot be seen")
    parameter = parameters[0]
    value = text(parameter.prop("Value"), parameter)
    if value is None:
        return unresolved(f"{parameter.path} ({source}): Value is known only at deploy time")
    try:
        return parameter, json.loads(value)
    except json.JSONDecodeError:
        return non_compliant(f"{parameter.path} ({source}) is not JSON: the agent cannot start with it")


def _collects(config: Any, metric: str, dimension: str, where: str) -> Check:
    """Whether the agent configuration publishes ``metric`` to CWAgent with ``dimension`` as its only dimension."""
    metrics = config.get("metrics") if isinstance(config, dict) else None
    if not isinstance(metrics, dict):
        return non_compliant(f"{where} has no metrics section")
    namespace = metrics.get("namespace", AGENT)
    if namespace != AGENT:
        return non_compliant(f"{where} publishes to namespace {show(namespace)}, not {AGENT}")
    section = AGENT_SECTIONS[metric]
    measured = (metrics.get("metrics_collected") or {}).get(section) or {}
    published = set()
    for entry in measured.get("measurement", []) if isinstance(measured, dict) else []:
        name, rename = (entry, None) if isinstance(entry, str) else (
            (entry.get("name"), entry.get("rename")) if isinstance(entry, dict) else (None, None))
        if isinstance(name, str):
            published.add(rename or (name if name.startswith(f"{section}_") else f"{section}_{name}"))
    if metric not in published:
        return non_compliant(f"{where}, which does not collect {metric}")
    appended = metrics.get("append_dimensions") or {}
    aggregated = metrics.get("aggregation_dimensions") or []
    if not isinstance(appended, dict) or dimension not in appended:
        return non_compliant(f"{where}, which does not append the {dimension} dimension")
    if [dimension] in aggregated or (section == "mem" and set(appended) == {dimension}):
        return compliant(f"{where} (by {dimension})")
    return non_compliant(f"{where}, which publishes {metric} by more dimensions than {dimension} "
                         f"(aggregation_dimensions lacks [\"{dimension}\"])")


def _scaling(resource: Resource) -> str | Check | None:
    if resource.type != "AWS::AutoScaling::AutoScalingGroup":
        return None
    low, high = resource.prop("MinSize"), resource.prop("MaxSize")
    if is_intrinsic(low) or is_intrinsic(high):
        return unresolved(f"MinSize = {show(low)}, MaxSize = {show(high)}")
    if str(low) == str(high):
        return f"a fixed size of {low}: nothing to scale"
    policies = [p for p in resource.stack.assembly.of_type("AWS::AutoScaling::ScalingPolicy")
                if p.target(p.prop("AutoScalingGroupName")) is resource]
    if not policies:
        return non_compliant(f"MinSize {low} < MaxSize {high}, but no scaling policy moves between them")
    kinds = ", ".join(f"{p.path} ({p.prop('PolicyType', default='SimpleScaling')})" for p in policies)
    return f"scales between {low} and {high} by {kinds}"


RULE = Rule(
    name="CapacityMonitored",
    clauses=("12.1.3", "CLD.12.4.5"),
    resource_types=(*SERVER_TYPES, *DATABASE_DIMENSIONS),
    info="Server or database capacity is not watched by alarms with actions that can fire, or the servers do not "
         "scale.",
    explanation=(
        "Capacity is managed: every Auto Scaling group and EC2 instance has alarms with actions on CPU (AWS/EC2 "
        "CPUUtilization), memory and disk (CWAgent mem_used_percent, disk_used_percent) by AutoScalingGroupName or "
        "InstanceId, and a group a scaling policy between its minimum and maximum size; every database cluster has "
        "alarms on CPU, connections and storage (Aurora: FreeLocalStorage of each instance, or "
        "AuroraVolumeBytesLeftTotal / VolumeBytesUsed of the cluster; others FreeStorageSpace), and every "
        "standalone DB instance on CPUUtilization, DatabaseConnections and FreeStorageSpace "
        "(ServiceMonitoring). An alarm counts only if it names the resource by reference (or its literal name) as "
        "its only dimension, lives in its region and account, keeps ActionsEnabled with an AlarmActions entry, and "
        "can fire: GreaterThan(OrEqualTo)Threshold above 0 and within 100 for percentages, LessThan for free "
        "space above 0. A metric-math alarm counts only if it returns a plain metric. CWAgent metrics exist only if "
        "the servers' user data starts the CloudWatch agent (amazon-cloudwatch-agent-ctl -a fetch-config -s, as "
        "ServerMetricsAgent does) with a configuration from an SSM parameter of this app that collects them, "
        "appends the dimension and aggregates by it; a configuration outside the template leaves it unresolved."
    ),
    check=capacity_monitored,
    security_hub=("CloudWatch.15",),
)
