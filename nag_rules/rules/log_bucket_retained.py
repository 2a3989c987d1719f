from typing import Any

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import text
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, not_applicable, unresolved
from nag_rules.rules.log_archive_locked import denies_object_deletion
from nag_rules.standards import MINIMUM_LOG_RETENTION_DAYS


def log_bucket_retained(resource: Resource) -> Check:
    sources = _log_sources(resource)
    if not sources:
        return not_applicable("no access logs, load balancer logs or delivered logs land in this bucket")
    checks = [_retention(resource), denies_object_deletion(resource)]
    for outcome in (Outcome.NON_COMPLIANT, Outcome.UNRESOLVED):
        found = [c.evidence for c in checks if c.outcome is outcome]
        if found:
            return Check(outcome, "; ".join(found))
    return compliant(f"receives logs of {', '.join(sources)}; " + "; ".join(c.evidence for c in checks))


def _log_sources(bucket: Resource) -> list[str]:
    """What delivers logs here: buckets logging their accesses, load balancers, vended-log deliveries and web
    ACLs, found by reference or by the bucket's literal name."""
    name = text(bucket.prop("BucketName"), bucket)
    assembly = bucket.stack.assembly

    def names_it(owner: Resource, value: Any) -> bool:
        if owner.target(value) is bucket:
            return True
        written = text(value, owner)
        return name is not None and written is not None and written.split(":::")[-1].split("/")[0] == name

    found = []
    for source in assembly.of_type("AWS::S3::Bucket"):
        if names_it(source, source.prop("LoggingConfiguration", "DestinationBucketName")):
            found.append(f"{source.path} (server access logs)")
    for balancer in assembly.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer"):
        attributes = {a.get("Key"): a.get("Value") for a in balancer.prop("LoadBalancerAttributes", default=[]) or []
                      if isinstance(a, dict)}
        if str(attributes.get("access_logs.s3.enabled")).lower() == "true" and names_it(
                balancer, attributes.get("access_logs.s3.bucket")):
            found.append(f"{balancer.path} (access logs)")
    for destination in assembly.of_type("AWS::Logs::DeliveryDestination"):
        if names_it(destination, destination.prop("DestinationResourceArn")):
            found.append(f"{destination.path} (delivered logs)")
    for logging in assembly.of_type("AWS::WAFv2::LoggingConfiguration"):
        if any(names_it(logging, d) for d in logging.prop("LogDestinationConfigs", default=[]) or []):
            found.append(f"{logging.path} (web ACL logs)")
    return found


def _retention(bucket: Resource) -> Check:
    rules = bucket.prop("LifecycleConfiguration", "Rules", default=[]) or []
    if is_intrinsic(rules):
        return unresolved(f"LifecycleConfiguration.Rules = {show(rules)}")
    kept = []
    for rule in rules:
        if not isinstance(rule, dict) or rule.get("Status") == "Disabled":
            continue
        if "ExpirationDate" in rule:
            return non_compliant(f"lifecycle rule {rule.get('Id', '?')} deletes every log on {show(rule['ExpirationDate'])}")
        noncurrent = rule.get("NoncurrentVersionExpiration") or {}
        for field, days in (("ExpirationInDays", rule.get("ExpirationInDays")),
                            ("NoncurrentVersionExpiration.NoncurrentDays", noncurrent.get("NoncurrentDays")),
                            ("NoncurrentVersionExpirationInDays", rule.get("NoncurrentVersionExpirationInDays"))):
            if days is None:
                continue
            if is_intrinsic(days):
                return unresolved(f"lifecycle rule {rule.get('Id', '?')}: {field} = {show(days)}")
            if int(days) < MINIMUM_LOG_RETENTION_DAYS:
                return non_compliant(f"lifecycle rule {rule.get('Id', '?')}: {field} = {days} "
                                     f"(< {MINIMUM_LOG_RETENTION_DAYS})")
            kept.append(f"{field} = {days}")
    return compliant(f"kept {', '.join(sorted(set(kept)))} days" if kept else "no lifecycle expiry: kept until removed")


RULE = Rule(
    name="LogBucketRetained",
    clauses=("12.4.1", "18.1.3"),
    resource_types=("AWS::S3::Bucket",),
    info="A bucket that receives access or delivered logs expires them within 365 days or lets them be deleted.",
    explanation=(
        "Access logs are kept 12 months and protected: every bucket that S3 server access logs, load balancer "
        "access logs, vended-log deliveries (CloudFront) or web ACL logs land in keeps current and overwritten "
        "versions at least 365 days and denies deleting objects to everyone (deny_object_deletion; "
        "AccessLogsBucket and LoadBalancerLogsBucket do both)."
    ),
    check=log_bucket_retained,
    security_hub=("S3.14",),
)
