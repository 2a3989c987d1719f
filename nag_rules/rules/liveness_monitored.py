import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from nag_rules.alarms import EDGE_REGION, Found, Metric, Watch, alarms_on, names, reference
from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import HOLE, text_with_holes
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved

DISTRIBUTION = "AWS::CloudFront::Distribution"
LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
CANARY = "AWS::Synthetics::Canary"
HEALTH_CHECK = "AWS::Route53::HealthCheck"
DNS_ATTRIBUTE = {DISTRIBUTION: "DomainName", LOAD_BALANCER: "DNSName"}
SUCCESS = Metric("CloudWatchSynthetics", "SuccessPercent", rises=False, high=100, silence_is_trouble=True)
HEALTHY = Metric("AWS/Route53", "HealthCheckStatus", rises=False, high=1, silence_is_trouble=True)
CHECKED_TYPES = ("HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP")
MARK = "\x01"
"""Stands for the entry point's own DNS name, named by reference, inside rendered text."""
URL = re.compile(r"(?i)\bhttps?://([^/\s'\"`?#:]+)")


def liveness_monitored(resource: Resource) -> Check:
    exposure = _exposure(resource)
    if exposure is not None:
        return exposure
    own = _liveness(resource)
    if own.evidence:
        return compliant("; ".join(own.evidence))
    if resource.type == LOAD_BALANCER:
        proven, possible = _fronting(resource)
        for distribution, origin in proven:
            through = _liveness(distribution)
            if through.evidence:
                return compliant(f"the origin {origin} of {distribution.path}, whose liveness check passes through "
                                 f"it: {'; '.join(through.evidence)}")
        for distribution, origin in possible:
            through = _liveness(distribution)
            if through.evidence:
                return unresolved(
                    f"no liveness check names this load balancer; {distribution.path} reaches origin {origin}, "
                    f"which may resolve to it, and is checked ({'; '.join(through.evidence)}), but nothing in the "
                    "app proves that name is this load balancer: add a Route 53 alias record for it in this app, "
                    "or a check of the load balancer's own" + _also(own))
    if own.unknown:
        return unresolved("; ".join(own.unknown) + (f"; {'; '.join(own.refused)}" if own.refused else ""))
    return non_compliant("no running canary or Route 53 health check aimed at it is alarmed with an action"
                         + (f": {'; '.join(own.refused)}" if own.refused else ""))


def _also(found: "Liveness") -> str:
    return f"; {'; '.join(found.refused + found.unknown)}" if found.refused or found.unknown else ""


def _exposure(resource: Resource) -> Check | None:
    if resource.type == DISTRIBUTION:
        enabled = resource.prop("DistributionConfig", "Enabled")
        if is_intrinsic(enabled):
            return unresolved(f"DistributionConfig.Enabled = {show(enabled)}")
        return not_applicable("disabled") if enabled in (False, "false") else None
    kind, scheme = resource.prop("Type", default="application"), resource.prop("Scheme", default="internet-facing")
    if kind == "gateway":
        return not_applicable("a Gateway Load Balancer takes no traffic from the internet")
    if is_intrinsic(scheme):
        return unresolved(f"Scheme = {show(scheme)}: whether it faces the internet is known only at deploy time")
    return None if scheme == "internet-facing" else not_applicable(f"Scheme = {scheme}")


@dataclass
class Liveness:
    evidence: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def _liveness(subject: Resource) -> Liveness:
    """The canaries and health checks aimed at ``subject`` and whether each runs and is alarmed."""
    assembly = subject.stack.assembly

    def memo() -> dict[int, Liveness]:
        return {}

    cache = assembly.memo("liveness", memo)
    if id(subject) in cache:
        return cache[id(subject)]
    hosts = _hosts(subject)
    result = Liveness()
    for canary in assembly.of_type(CANARY):
        texts, unreadable = _canary_texts(canary)
        aimed, where, unsure = _aimed(canary, subject, hosts, texts)
        unsure = "; ".join(filter(None, [unsure, unreadable])) if not aimed else ""
        if aimed:
            _judge(result, canary, f"canary {canary.path} ({where})", _canary_runs(canary), Watch(
                SUCCESS, {"CanaryName": names(canary, literal=canary.prop("Name"))},
                canary.stack.region, canary.stack.account))
        elif unsure:
            result.unknown.append(f"canary {canary.path}: {unsure}")
    for check in assembly.of_type(HEALTH_CHECK):
        config = check.prop("HealthCheckConfig", default={})
        config = config if isinstance(config, dict) else {}
        target = config.get("FullyQualifiedDomainName")
        aimed, where, unsure = _aimed(check, subject, hosts, [(
            "HealthCheckConfig.FullyQualifiedDomainName", target)], bare=True)
        if aimed:
            watch = Watch(HEALTHY, {"HealthCheckId": names(check, "Ref", "HealthCheckId")}, EDGE_REGION,
                          check.stack.account)
            _judge(result, check, f"health check {check.path} ({where})", _health_check_runs(check, config), watch)
        elif unsure:
            result.unknown.append(f"health check {check.path}: {unsure}")
    cache[id(subject)] = result
    return result


def _judge(result: Liveness, check: Resource, named: str, runs: tuple[str, str], watch: Watch) -> None:
    refused, unknown = runs
    if refused:
        result.refused.append(f"{named}: {refused}")
        return
    if unknown:
        result.unknown.append(f"{named}: {unknown}")
        return
    alarms: Found = alarms_on(watch, check.stack.assembly)
    if alarms.acting:
        result.evidence.append(f"{named}, alarmed by {', '.join(alarms.acting)}")
    elif alarms.unknown:
        result.unknown.append(f"{named}: {'; '.join(alarms.unknown)}")
    else:
        why = f" ({'; '.join(alarms.refused)})" if alarms.refused else ""
        result.refused.append(f"{named}: no alarm with an action that can fire on {watch.describe()}{why}")


def _canary_texts(canary: Resource) -> tuple[list[tuple[str, Any]], str]:
    """The values that may hold the URL it checks, and why its code cannot be read when it cannot."""
    variables = canary.prop("RunConfig", "EnvironmentVariables", default={})
    texts = [(f"RunConfig.EnvironmentVariables.{k}", v) for k, v in variables.items()] \
        if isinstance(variables, dict) else [("RunConfig.EnvironmentVariables", variables)]
    code = canary.prop("Code", default={})
    if isinstance(code, dict) and "Script" in code:
        return [*texts, ("Code.Script", code["Script"])], ""
    return texts, "its code is outside the template (Code has no Script), so the URL it checks cannot be read"


def _aimed(owner: Resource, subject: Resource, hosts: set[str], texts: list[tuple[str, Any]],
           bare: bool = False) -> tuple[bool, str, str]:
    """(aimed at ``subject``, where it says so, why it might be when that cannot be told)."""
    unsure = []
    for where, value in texts:
        if value is None:
            continue
        rendered = _render(owner, value, subject)
        for host in ([rendered] if bare else URL.findall(rendered)):
            host = host.lower().rstrip(".")
            if host == MARK or any(_matches(host, pattern) for pattern in hosts):
                shown = rendered.replace(MARK, f"<{subject.path} {DNS_ATTRIBUTE[subject.type]}>")
                return True, f"{where} = {shown}", ""
            if HOLE in host:
                unsure.append(f"{where} = {show(value)} targets a host known only at deploy time")
        if HOLE in rendered and not bare and not URL.search(rendered):
            unsure.append(f"{where} is known only at deploy time")
    return False, "", "; ".join(unsure)


def _render(owner: Resource, value: Any, subject: Resource) -> str:
    """``value`` as text, with ``subject``'s DNS name by reference as MARK and other deploy-time parts as HOLE."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict) or len(value) != 1:
        return HOLE
    if reference(owner, value) == (subject, DNS_ATTRIBUTE[subject.type]):
        return MARK
    (key, argument), = value.items()
    if key == "Fn::Join" and isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], list):
        return str(argument[0]).join(_render(owner, part, subject) for part in argument[1])
    if key == "Fn::Sub" and isinstance(argument, str):
        own = f"{subject.logical_id}.{DNS_ATTRIBUTE[subject.type]}"
        return re.sub(r"\$\{([^}!]+)\}",
                      lambda m: MARK if m[1] == own and owner.stack is subject.stack else HOLE, argument)
    return text_with_holes(value, owner) or HOLE


def _matches(host: str, pattern: str) -> bool:
    if pattern.startswith("*."):
        return "." in host and host.split(".", 1)[1] == pattern[2:]
    return host == pattern


def _hosts(subject: Resource) -> set[str]:
    """The literal names that reach ``subject``: a distribution's Aliases, Route 53 records of this app
    aliasing it."""
    hosts = {name for name, _ in _records_to(subject)}
    if subject.type == DISTRIBUTION:
        aliases = subject.prop("DistributionConfig", "Aliases", default=[]) or []
        hosts |= {a.lower().rstrip(".") for a in aliases if isinstance(a, str)} if isinstance(aliases, list) else set()
    return hosts


def _records(assembly: Any) -> Iterator[tuple[Resource, dict[str, Any]]]:
    for record in assembly.of_type("AWS::Route53::RecordSet"):
        yield record, dict(record.properties)
    for group in assembly.of_type("AWS::Route53::RecordSetGroup"):
        for entry in group.prop("RecordSets", default=[]) or []:
            if isinstance(entry, dict):
                yield group, entry


def _records_to(subject: Resource) -> list[tuple[str, str]]:
    """(name, record path) of the Route 53 records of this app that point their name at ``subject``."""
    found = []
    for record, body in _records(subject.stack.assembly):
        name = body.get("Name")
        if not isinstance(name, str):
            continue
        values = [(body.get("AliasTarget") or {}).get("DNSName")] + list(body.get("ResourceRecords") or [])
        for value in values:
            if _render(record, value, subject).lower().rstrip(".") in (MARK, f"dualstack.{MARK}"):
                found.append((name.lower().rstrip("."), record.path))
    return found


def _fronting(balancer: Resource) -> tuple[list[tuple[Resource, str]], list[tuple[Resource, str]]]:
    """The distributions whose origin is ``balancer`` by reference or by a record of this app, and those whose
    custom origin is a name nothing in the app resolves (it may be the balancer)."""
    named = dict(_records_to(balancer))
    known = {name for resource in balancer.stack.assembly.of_type(LOAD_BALANCER, DISTRIBUTION)
             for name, _ in _records_to(resource)}
    proven, possible = [], []
    for distribution in balancer.stack.assembly.of_type(DISTRIBUTION):
        for origin in distribution.prop("DistributionConfig", "Origins", default=[]) or []:
            if not isinstance(origin, dict) or "S3OriginConfig" in origin:
                continue
            value = origin.get("DomainName")
            rendered = _render(distribution, value, balancer).lower().rstrip(".")
            if rendered == MARK:
                proven.append((distribution, f"<{balancer.path} DNSName>"))
            elif rendered in named:
                proven.append((distribution, f"{rendered} (record {named[rendered]})"))
            elif not _names_a_resource(distribution, value) and rendered not in known:
                possible.append((distribution, show(value)))
    return proven, possible


def _names_a_resource(owner: Resource, value: Any) -> bool:
    if reference(owner, value) is not None:
        return True
    if isinstance(value, dict):
        return any(_names_a_resource(owner, v) for v in value.values())
    return isinstance(value, list) and any(_names_a_resource(owner, v) for v in value)


def _canary_runs(canary: Resource) -> tuple[str, str]:
    """(why it never runs on a schedule, why that cannot be told)."""
    if canary.condition:
        return "", f"created only if condition {canary.condition} holds"
    start = canary.prop("StartCanaryAfterCreation")
    if is_intrinsic(start):
        return "", f"StartCanaryAfterCreation = {show(start)}"
    if start not in (True, "true"):
        return "StartCanaryAfterCreation is not true: nothing in the template starts it", ""
    expression = canary.prop("Schedule", "Expression")
    duration = canary.prop("Schedule", "DurationInSeconds", default=0)
    if is_intrinsic(expression) or is_intrinsic(duration):
        return "", f"Schedule = {show(canary.prop('Schedule'))}"
    if not isinstance(expression, str) or re.fullmatch(r"rate\(\s*0+\s*\w+\s*\)", expression.strip()):
        return f"Schedule.Expression = {show(expression)}: it runs once", ""
    if str(duration).strip() not in ("0", ""):
        return f"Schedule.DurationInSeconds = {show(duration)}: it stops running after that", ""
    return "", ""


def _health_check_runs(check: Resource, config: dict[str, Any]) -> tuple[str, str]:
    if check.condition:
        return "", f"created only if condition {check.condition} holds"
    kind, disabled, inverted = config.get("Type"), config.get("Disabled"), config.get("Inverted")
    if any(is_intrinsic(v) for v in (kind, disabled, inverted)):
        return "", f"HealthCheckConfig = {show(config)}"
    if kind not in CHECKED_TYPES:
        return f"Type = {show(kind)}: it does not reach the endpoint itself", ""
    if disabled in (True, "true"):
        return "Disabled = true: it reports healthy whatever happens", ""
    if inverted in (True, "true"):
        return "Inverted = true: it reports healthy when the endpoint is down", ""
    return "", ""


RULE = Rule(
    name="LivenessMonitored",
    clauses=("CLD.12.4.5",),
    resource_types=(DISTRIBUTION, LOAD_BALANCER),
    info="The internet entry point has no liveness check alarmed with an action.",
    explanation=(
        "Liveness is monitored from outside: every enabled CloudFront distribution and internet-facing load "
        "balancer is the target of a running AWS::Synthetics::Canary (StartCanaryAfterCreation true, a repeating "
        "schedule) whose environment variables or inline script hold an http(s) URL on one of the distribution's "
        "Aliases, on a Route 53 record of this app pointing at it, or on its own DNS name by reference, with an "
        "alarm with an action on CloudWatchSynthetics SuccessPercent (CanaryName, LessThan a threshold up to 100; "
        "ServiceMonitoring's canary GETs https://<domain_name>/health); or of an AWS::Route53::HealthCheck on "
        "such a name with an alarm with an action on AWS/Route53 HealthCheckStatus (HealthCheckId) in us-east-1, "
        "where Route 53 publishes it. Either alarm treats missing data as breaching: a check that stops "
        "reporting must not leave it silent. A load balancer that is the origin of a distribution, by reference or "
        "through a Route 53 record of this app, is live when that distribution's check passes through it. A load "
        "balancer with no check of its own, which may be a distribution's origin under a name nothing in the app "
        "resolves, is unresolved: a DNS name cannot be followed offline. Fix it with an alias record of the "
        "origin name in this app, or a check aimed at the load balancer (a Route 53 health check on its DNSName)."
    ),
    check=liveness_monitored,
)
