import re
from typing import Any, Callable, NamedTuple

from config.settings import JAPAN_REGIONS
from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import HOLE, text, text_with_holes
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved

_ARN = re.compile(r"^arn:[^:]*:(?P<service>[^:]*):(?P<region>[^:]*):(?P<account>[^:]*):(?P<rest>.*)$")
DEPLOY_TIME = "known only at deploy time"


class Place(NamedTuple):
    """Where one kind of log a resource produces is stored."""

    source: str
    destination: str
    region: str | None
    why_unknown: str = ""

    def describe(self) -> str:
        return f"{self.source} → {self.destination} ({self.region or self.why_unknown})"


def _in(resource: Resource, source: str, destination: str) -> Place:
    """A place in the region of ``resource``'s stack."""
    region = resource.stack.region
    return Place(source, destination, region, "" if region else
                 f"stack {resource.stack.display_name} is environment-agnostic")


def _named(source: Resource, types: tuple[str, ...], prop: str, name: str, region: str | None) -> list[Resource]:
    """The resources of this app of ``types`` whose ``prop`` is written as ``name`` (in ``region`` if given)."""
    return [r for r in source.stack.assembly.of_type(*types)
            if text(r.prop(prop), r) == name and (region is None or r.stack.region == region)]


def _bucket(source: Resource, what: str, value: Any, same_region: bool = False) -> Place:
    """The bucket ``value`` names (a reference, a name or an ARN). ``same_region``: AWS delivers these logs only
    to a bucket in the source's own region, so even a bucket outside the app is there."""
    label = f"{source.path} {what}"
    target = source.target(value)
    if target is not None:
        return _in(target, label, target.path)
    written = text(value, source)
    if written is None:
        return Place(label, show(value), None, DEPLOY_TIME)
    name = (written.split(":::", 1)[1] if written.startswith("arn:") else written).split("/", 1)[0]
    owners = _named(source, ("AWS::S3::Bucket",), "BucketName", name, None)
    if owners and len({o.stack.region for o in owners}) == 1:
        return _in(owners[0], label, f"{owners[0].path} named {name}")
    if same_region:
        return _in(source, label, f"{written}, outside this app, which AWS requires in the source's own region")
    return Place(label, written, None, "the bucket's region is unknown: no bucket of this app has that name")


NAMES = {
    ("logs", "log-group:"): ("AWS::Logs::LogGroup", "LogGroupName"),
    ("firehose", "deliverystream/"): ("AWS::KinesisFirehose::DeliveryStream", "DeliveryStreamName"),
    ("kinesis", "stream/"): ("AWS::Kinesis::Stream", "Name"),
}
"""ARN services and resource prefixes whose name finds the resource of this app the ARN is written for."""


def _arn(source: Resource, what: str, value: Any) -> Place:
    """The resource an ARN names: by reference, or by the region written in it (S3 ARNs carry none)."""
    label = f"{source.path} {what}"
    target = source.target(value)
    if target is not None:
        return _in(target, label, target.path)
    written = text_with_holes(value, source)
    match = _ARN.match(written) if written is not None else None
    if match is not None and match["service"] == "s3" and HOLE not in match[0]:
        return _bucket(source, what, match[0])
    shown = show(value) if match is None else match[0].replace(HOLE, "<deploy-time>")
    if match is None or HOLE in match["region"] or not match["region"]:
        return Place(label, shown, None, DEPLOY_TIME if written is None or HOLE in written else
                     "no region can be read from it")
    for (service, prefix), (kind, prop) in NAMES.items():
        rest = match["rest"]
        if match["service"] == service and rest.startswith(prefix) and HOLE not in rest:
            name = rest[len(prefix):].removesuffix(":*")
            owners = _named(source, (kind,), prop, name, match["region"])
            if len(owners) == 1:
                return Place(label, f"{owners[0].path} named {name}", match["region"])
    return Place(label, shown, match["region"])


def _flow_log(resource: Resource) -> list[Place]:
    destination = resource.prop("LogDestination")
    if destination is not None:
        return [_arn(resource, "flow logs", destination)]
    group = resource.prop("LogGroupName")
    target = resource.target(group)
    if target is not None:
        return [_in(target, f"{resource.path} flow logs", target.path)]
    name = text(group, resource)
    if name is None:
        return [Place(f"{resource.path} flow logs", show(group), None, DEPLOY_TIME)]
    owners = _named(resource, ("AWS::Logs::LogGroup",), "LogGroupName", name, resource.stack.region)
    return [_in(resource, f"{resource.path} flow logs",  # CloudWatch Logs in the flow log's own region
                f"{owners[0].path} named {name}" if len(owners) == 1 else f"log group {name}")]


def _database(resource: Resource) -> list[Place] | Check:
    exports = resource.prop("EnableCloudwatchLogsExports", default=[])
    if is_intrinsic(exports) or not isinstance(exports, list):
        return unresolved(f"EnableCloudwatchLogsExports = {show(exports)}")
    cluster = resource.type == "AWS::RDS::DBCluster"
    identifier = text(resource.prop("DBClusterIdentifier" if cluster else "DBInstanceIdentifier"), resource)
    places = []
    for log in exports:  # RDS publishes to CloudWatch Logs in the database's own region
        group = f"/aws/rds/{'cluster' if cluster else 'instance'}/{(identifier or '<deploy-time>').lower()}/{show(log)}"
        owners = _named(resource, ("AWS::Logs::LogGroup",), "LogGroupName", group, resource.stack.region) \
            if identifier else []
        places.append(_in(resource, f"{resource.path} {show(log)} log",
                          f"{owners[0].path} named {group}" if len(owners) == 1 else f"CloudWatch Logs {group}"))
    return places


def _load_balancer(resource: Resource) -> list[Place] | Check:
    attributes = resource.prop("LoadBalancerAttributes", default=[])
    if is_intrinsic(attributes) or not isinstance(attributes, list):
        return unresolved(f"LoadBalancerAttributes = {show(attributes)}")
    values = {a.get("Key"): a.get("Value") for a in attributes if isinstance(a, dict)}
    places = []
    for key, enabled in values.items():
        if not isinstance(key, str) or not key.endswith(".s3.enabled"):
            continue
        kind = key.removesuffix(".s3.enabled")
        what, on = kind.replace("_", " "), text(enabled, resource)
        if on is None:
            places.append(Place(f"{resource.path} {what}", f"{key} = {show(enabled)}", None, DEPLOY_TIME))
        elif on.lower() == "true":
            places.append(_bucket(resource, what, values.get(f"{kind}.s3.bucket"), same_region=True))
    return places


def _bucket_logging(resource: Resource) -> list[Place]:
    logging = resource.prop("LoggingConfiguration")
    if logging is None:
        return []
    destination = logging.get("DestinationBucketName") if isinstance(logging, dict) else logging
    if destination is None:  # S3 then keeps the bucket's access logs in the bucket itself
        return [_in(resource, f"{resource.path} server access logs", f"{resource.path} itself")]
    return [_bucket(resource, "server access logs", destination, same_region=True)]


def _delivery_stream(resource: Resource) -> list[Place]:
    places = []
    for key, configuration in resource.properties.items():
        if not key.endswith("DestinationConfiguration"):
            continue
        kind = key.removesuffix("DestinationConfiguration")
        if not isinstance(configuration, dict):
            places.append(Place(f"{resource.path} {kind} records", f"{key} = {show(configuration)}", None,
                                DEPLOY_TIME))
            continue
        if "BucketARN" in configuration:
            places.append(_arn(resource, "delivered records", configuration["BucketARN"]))
        elif "DomainARN" in configuration:
            places.append(_arn(resource, "delivered records", configuration["DomainARN"]))
        else:
            places.append(Place(f"{resource.path} delivered records", f"a {kind} destination", None,
                                "where it stores them is not known from the template"))
        for backup, what in (("S3BackupConfiguration", "record backup"), ("S3Configuration", "record backup")):
            if isinstance(configuration.get(backup), dict) and "BucketARN" in configuration[backup]:
                places.append(_arn(resource, what, configuration[backup]["BucketARN"]))
    return places


def _properties(*fields: tuple[str, str, Callable[[Resource, str, Any], Place]]) -> Callable[[Resource], list[Place]]:
    """Destinations written in top-level properties: (property, what it delivers, how to read it)."""
    def places(resource: Resource) -> list[Place]:
        found = []
        for prop, what, read in fields:
            value = resource.prop(prop)
            for item in (value if isinstance(value, list) else [] if value is None else [value]):
                found.append(read(resource, what, item))
        return found
    return places


DESTINATIONS: dict[str, Callable[[Resource], list[Place] | Check]] = {
    "AWS::EC2::FlowLog": _flow_log,
    "AWS::WAFv2::LoggingConfiguration": _properties(("LogDestinationConfigs", "web ACL logs", _arn)),
    "AWS::CloudTrail::Trail": _properties(("S3BucketName", "trail log files", _bucket),
                                          ("CloudWatchLogsLogGroupArn", "trail events", _arn)),
    "AWS::Config::DeliveryChannel": _properties(("S3BucketName", "configuration history", _bucket)),
    "AWS::Logs::SubscriptionFilter": _properties(("DestinationArn", "subscribed log events", _arn)),
    "AWS::Logs::Destination": _properties(("TargetArn", "forwarded log events", _arn)),
    "AWS::Logs::DeliveryDestination": _properties(("DestinationResourceArn", "delivered logs", _arn)),
    "AWS::S3::Bucket": _bucket_logging,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": _load_balancer,
    "AWS::RDS::DBCluster": _database,
    "AWS::RDS::DBInstance": _database,
    "AWS::KinesisFirehose::DeliveryStream": _delivery_stream,
}
"""How each type names the places its logs are delivered to."""


def log_destinations_in_japan(resource: Resource) -> Check:
    places = DESTINATIONS[resource.type](resource)
    if isinstance(places, Check):
        return places
    if not places:
        return not_applicable("delivers no logs")
    evidence = "; ".join(place.describe() for place in places)
    if any(p.region is not None and p.region not in JAPAN_REGIONS for p in places):
        return non_compliant(evidence)
    if any(p.region is None for p in places):
        return unresolved(evidence)
    return compliant(evidence)


RULE = Rule(
    name="LogDestinationsInJapan",
    clauses=("6.1.3", "12.4.1"),
    resource_types=tuple(DESTINATIONS),
    info="Logs are delivered to a place outside the Japanese regions (ap-northeast-1, ap-northeast-3), or to one "
         "whose region cannot be known.",
    explanation=(
        "Logs record customer activity, so they stay in Japan wherever they are produced: every place logs are "
        "delivered to must be in ap-northeast-1 or ap-northeast-3. Checked: flow logs (LogDestination, "
        "LogGroupName), web ACL logging (LogDestinationConfigs), CloudTrail (S3BucketName, "
        "CloudWatchLogsLogGroupArn), the Config delivery channel (S3BucketName), log subscription filters and "
        "destinations (DestinationArn, TargetArn), vended-log delivery destinations (DestinationResourceArn), S3 "
        "server access logs (LoggingConfiguration.DestinationBucketName), load balancer access, connection and "
        "health check logs (<kind>_logs.s3.bucket), RDS log exports (EnableCloudwatchLogsExports, published in "
        "the database's own region) and Firehose delivery buckets. A destination of this app, named by reference "
        "or by its literal name or ARN, is in its stack's region; another ARN is in the region it names; a bucket "
        "outside the app is in an unknown region, except where AWS requires it in the source's own region (S3 "
        "server access logs, load balancer logs). A source outside Japan (the edge web ACL in us-east-1) passes "
        "when its logs land in Japan; where it runs is DataLocationJapan's concern."
    ),
    check=log_destinations_in_japan,
)
