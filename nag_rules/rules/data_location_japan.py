from config.settings import JAPAN_REGIONS
from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import text
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved
from nag_rules.resource_types import DATA_PATH_TYPES, DATA_STORE_TYPES

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
"""The id of CloudFront's managed CachingDisabled policy."""


def data_location_japan(resource: Resource) -> Check:
    if resource.type == "AWS::CloudFront::Distribution":
        return non_compliant("CloudFront is a global service: it terminates requests at edge locations worldwide "
                             f"({_caching(resource)})")
    stack = resource.stack
    if stack.region is None:
        return non_compliant(
            f"stack {stack.display_name} is environment-agnostic ({stack.environment}): "
            "the region its data lands in is unknown until deploy time"
        )
    if stack.region not in JAPAN_REGIONS:
        landing = _log_destination(resource)
        return non_compliant(f"stack {stack.display_name} deploys to {stack.region}"
                             + (f"; the log records it routes are stored in {landing}" if landing else ""))
    evidence = [f"stack {stack.display_name} deploys to {stack.region}"]
    for place, region in _copies(resource):
        if region is None:
            return unresolved(f"{place}: its region cannot be known at synth time")
        if region not in JAPAN_REGIONS:
            return non_compliant(f"{place} is in {region}")
        evidence.append(f"{place} is in {region}")
    return compliant("; ".join(evidence))


def _copies(resource: Resource) -> list[tuple[str, str | None]]:
    """Other places the resource itself puts its data: table replicas, bucket replication."""
    copies: list[tuple[str, str | None]] = []
    if resource.type == "AWS::DynamoDB::GlobalTable":
        for replica in resource.prop("Replicas", default=[]) or []:
            region = replica.get("Region") if isinstance(replica, dict) else None
            copies.append((f"replica {show(region)}", None if is_intrinsic(region) else region))
    if resource.type == "AWS::S3::Bucket":
        for rule in resource.prop("ReplicationConfiguration", "Rules", default=[]) or []:
            destination = (rule.get("Destination") or {}).get("Bucket") if isinstance(rule, dict) else None
            target = resource.target(destination)
            place = f"replication destination {target.path if target else show(destination)}"
            copies.append((place, target.stack.region if target is not None else None))
    return copies


LOG_DESTINATIONS = {
    "AWS::WAFv2::LoggingConfiguration": ("LogDestinationConfigs", 0),
    "AWS::Logs::DeliveryDestination": ("DestinationResourceArn",),
    "AWS::Logs::Delivery": ("DeliveryDestinationArn",),
}


def _log_destination(resource: Resource) -> str | None:
    """Where a log-routing resource stores what it routes: the bucket or log group and its region."""
    if resource.type == "AWS::Logs::DeliverySource":
        name = text(resource.prop("Name"), resource)
        deliveries = [d for d in resource.stack.assembly.of_type("AWS::Logs::Delivery")
                      if d.target(d.prop("DeliverySourceName")) is resource
                      or (d.stack is resource.stack and name is not None
                          and text(d.prop("DeliverySourceName"), d) == name)]
        return _log_destination(deliveries[0]) if deliveries else None
    path = LOG_DESTINATIONS.get(resource.type)
    if path is None:
        return None
    value = resource.prop(*path)
    target = resource.target(value)
    if target is not None and target.type == "AWS::Logs::DeliveryDestination":
        return _log_destination(target)
    if target is not None:
        return f"{target.path} ({target.stack.region})"
    arn = text(value, resource)
    if arn is None:
        return f"{show(value)} (region known only at deploy time)"
    bucket = arn.split(":::", 1)[1].split("/", 1)[0] if arn.startswith("arn:aws:s3:::") else None
    owner = next((b for b in resource.stack.assembly.of_type("AWS::S3::Bucket")
                  if bucket is not None and text(b.prop("BucketName"), b) == bucket), None)
    return f"{arn} ({owner.path} in {owner.stack.region})" if owner is not None else arn


def _caching(distribution: Resource) -> str:
    behaviours = [distribution.prop("DistributionConfig", "DefaultCacheBehavior", default={})]
    behaviours += distribution.prop("DistributionConfig", "CacheBehaviors", default=[]) or []
    cached = [b for b in behaviours if not isinstance(b, dict) or b.get("CachePolicyId") != CACHING_DISABLED]
    return "caching disabled on every behaviour, so no response is stored there" if not cached else \
        f"{len(cached)} behaviour(s) may cache responses at the edge"


RULE = Rule(
    name="DataLocationJapan",
    clauses=("6.1.3",),
    resource_types=DATA_STORE_TYPES + DATA_PATH_TYPES,
    info="Data is stored or processed outside the Japanese regions (ap-northeast-1, ap-northeast-3).",
    explanation=(
        "The whitepaper states that data stored on the service is located in Japan. Give every stack an "
        "explicit environment in ap-northeast-1 or ap-northeast-3; an environment-agnostic stack can be "
        "deployed anywhere, so it cannot prove where its data is. Table replicas and bucket replication "
        "destinations must be in those regions too. What AWS requires elsewhere (CloudFront, its web "
        "ACL, and the log delivery that must sit beside them) is reported here, with where its records are "
        "stored, and acknowledged with what it holds and why."
    ),
    check=data_location_japan,
)
