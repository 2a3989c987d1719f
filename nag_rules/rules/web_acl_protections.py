from typing import Any

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import text
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, unresolved
from nag_rules.rules.log_group_retention import log_group_retention
from nag_rules.standards import MINIMUM_LOG_RETENTION_DAYS

REQUIRED_MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesSQLiRuleSet",
)
"""AWS managed rule groups (vendor AWS) every web ACL runs in blocking mode: the OWASP common rules, known
bad inputs, Amazon IP reputation and SQL injection."""


def web_acl_protections(resource: Resource) -> Check:
    rules = resource.prop("Rules", default=[])
    if not isinstance(rules, list) or any(not isinstance(r, dict) or is_intrinsic(r) for r in rules):
        return unresolved(f"Rules = {show(rules)[:200]}")
    checks = [_managed_groups(rules), _rate_limit(rules), _logging(resource)]
    for outcome in (Outcome.NON_COMPLIANT, Outcome.UNRESOLVED):
        found = [c.evidence for c in checks if c.outcome is outcome]
        if found:
            return Check(outcome, "; ".join(found))
    return compliant("; ".join(c.evidence for c in checks))


def _managed_groups(rules: list[dict[str, Any]]) -> Check:
    blocking: dict[str, str] = {}
    counting: dict[str, str] = {}
    unknown = []
    for rule in rules:
        statement = rule.get("Statement")
        group = statement.get("ManagedRuleGroupStatement") if isinstance(statement, dict) else None
        if not isinstance(group, dict):
            continue
        vendor, name, override = group.get("VendorName"), group.get("Name"), rule.get("OverrideAction")
        if is_intrinsic(vendor) or is_intrinsic(name) or is_intrinsic(override):
            unknown.append(f"rule {show(rule.get('Name'))}: {show(group)[:120]}, OverrideAction = {show(override)}")
        elif vendor == "AWS" and name in REQUIRED_MANAGED_RULE_GROUPS:
            if override == {"None": {}}:
                blocking[name] = _overrides(group)
            else:
                counting.setdefault(name, f"{name} (OverrideAction = {show(override)})")
    missing = [n for n in REQUIRED_MANAGED_RULE_GROUPS if n not in blocking and n not in counting]
    only_counting = [counting[n] for n in REQUIRED_MANAGED_RULE_GROUPS if n in counting and n not in blocking]
    problems = []
    if missing and not unknown:
        problems.append(f"AWS managed rule groups missing: {', '.join(missing)}")
    if only_counting:
        problems.append(f"managed rule groups that only count, not block: {', '.join(only_counting)}")
    if problems:
        return non_compliant("; ".join(problems))
    if missing:
        return unresolved(f"AWS managed rule groups not found: {', '.join(missing)}; {'; '.join(unknown)}")
    return compliant("AWS managed rule groups with OverrideAction None: "
                     + ", ".join(name + blocking[name] for name in REQUIRED_MANAGED_RULE_GROUPS))


def _overrides(group: dict[str, Any]) -> str:
    """The rules of a managed group set to another action than the vendor's, for the evidence."""
    changed = [f"{show(o.get('Name'))} -> {show(o.get('ActionToUse'))}" for o in group.get("RuleActionOverrides") or []
               if isinstance(o, dict)]
    changed += [f"{show(e.get('Name'))} excluded" for e in group.get("ExcludedRules") or [] if isinstance(e, dict)]
    return f" ({', '.join(changed)})" if changed else ""


def _rate_limit(rules: list[dict[str, Any]]) -> Check:
    counting, unknown = [], []
    for rule in rules:
        statement = rule.get("Statement")
        rate = statement.get("RateBasedStatement") if isinstance(statement, dict) else None
        if not isinstance(rate, dict):
            continue
        action, name = rule.get("Action"), show(rule.get("Name"))
        if is_intrinsic(action):
            unknown.append(f"rate rule {name}: Action = {show(action)}")
        elif isinstance(action, dict) and "Block" in action:
            window = show(rate.get("EvaluationWindowSec", 300))
            return compliant(f"rate rule {name} blocks above Limit = {show(rate.get('Limit'))} requests per "
                             f"{window} s per {show(rate.get('AggregateKeyType'))}")
        else:
            counting.append(f"{name} (Action = {show(action)})")
    if unknown:
        return unresolved("; ".join(unknown))
    return non_compliant("no rate-based rule with Action Block" + (
        f"; rate rules that do not block: {', '.join(counting)}" if counting else ""))


def _logging(acl: Resource) -> Check:
    configurations = acl.stack.assembly.of_type("AWS::WAFv2::LoggingConfiguration")
    mine = [c for c in configurations if c.target(c.prop("ResourceArn")) is acl]
    if not mine:
        unknown = [c for c in configurations if c.target(c.prop("ResourceArn")) is None
                   and text(c.prop("ResourceArn"), c) is None]
        if unknown:
            return unresolved("no AWS::WAFv2::LoggingConfiguration names this web ACL, and "
                              + ", ".join(f"{c.path} (ResourceArn = {show(c.prop('ResourceArn'))})" for c in unknown)
                              + " name something known only at deploy time")
        return non_compliant("no AWS::WAFv2::LoggingConfiguration names this web ACL: its decisions are not logged")
    configuration = mine[0]
    if configuration.condition and configuration.condition != acl.condition:
        return unresolved(f"{configuration.path} is created only if condition {configuration.condition} holds")
    destinations = configuration.prop("LogDestinationConfigs")
    if not isinstance(destinations, list) or not destinations:
        return unresolved(f"{configuration.path}: LogDestinationConfigs = {show(destinations)}")
    checks = [_retention(configuration, destination) for destination in destinations]
    for outcome in (Outcome.NON_COMPLIANT, Outcome.UNRESOLVED):
        found = [c.evidence for c in checks if c.outcome is outcome]
        if found:
            return Check(outcome, "; ".join(found))
    return compliant(f"{configuration.path}: " + "; ".join(c.evidence for c in checks))


def _retention(configuration: Resource, destination: Any) -> Check:
    target = configuration.target(destination) or _by_arn(configuration, destination)
    if target is None:
        literal = text(destination, configuration)
        if literal is None:
            return unresolved(f"{configuration.path}: log destination {show(destination)} is known only at deploy time")
        if ":firehose:" in literal:
            return unresolved(f"logs go to Firehose stream {literal}: their retention is decided where it delivers")
        return unresolved(f"logs go to {literal}, outside this app: their retention cannot be checked")
    if target.type == "AWS::Logs::LogGroup":
        check = log_group_retention(target)
        return Check(check.outcome, f"logs go to log group {target.path} ({check.evidence})")
    if target.type == "AWS::S3::Bucket":
        return _bucket_retention(target)
    if target.type == "AWS::KinesisFirehose::DeliveryStream":
        return unresolved(f"logs go to Firehose stream {target.path}: their retention is decided where it delivers")
    return unresolved(f"logs go to {target.type} {target.path}, not a log group or bucket")


def _bucket_retention(bucket: Resource) -> Check:
    lifecycle = bucket.prop("LifecycleConfiguration")
    if lifecycle is None:
        return compliant(f"logs go to bucket {bucket.path} (no LifecycleConfiguration: objects never expire)")
    rules = lifecycle.get("Rules") if isinstance(lifecycle, dict) and not is_intrinsic(lifecycle) else None
    if not isinstance(rules, list):
        return unresolved(f"bucket {bucket.path}: LifecycleConfiguration = {show(lifecycle)[:200]}")
    short, unknown, kept = [], [], []
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict) or is_intrinsic(rule) or is_intrinsic(rule.get("Status")):
            unknown.append(f"rule {index} = {show(rule)[:120]}")
            continue
        if rule.get("Status") != "Enabled":
            continue
        name = show(rule.get("Id", index))
        days, date = rule.get("ExpirationInDays"), rule.get("ExpirationDate")
        if date is not None:
            short.append(f"rule {name}: ExpirationDate = {show(date)} deletes every object on that date")
        if days is None:
            continue
        if isinstance(days, str) and days.isdigit():
            days = int(days)
        if not isinstance(days, int) or isinstance(days, bool):
            unknown.append(f"rule {name}: ExpirationInDays = {show(days)}")
        elif days < MINIMUM_LOG_RETENTION_DAYS:
            short.append(f"rule {name}: ExpirationInDays = {days} (< {MINIMUM_LOG_RETENTION_DAYS})")
        else:
            kept.append(days)
    if short:
        return non_compliant(f"logs go to bucket {bucket.path}, whose lifecycle deletes them early: {'; '.join(short)}")
    if unknown:
        return unresolved(f"logs go to bucket {bucket.path}: {'; '.join(unknown)}")
    kept_for = f"expires objects after {min(kept)} days at the earliest" if kept else "expires no object"
    return compliant(f"logs go to bucket {bucket.path} (its enabled lifecycle {kept_for})")


def _by_arn(owner: Resource, destination: Any) -> Resource | None:
    """The log group or bucket of this app a literal ARN names: the log group of that name in a stack of the
    same account and region, the bucket of that name (bucket names are global)."""
    literal = text(destination, owner)
    parts = literal.split(":", 5) if literal else []
    if len(parts) < 6 or parts[0] != "arn":
        return None
    _, _, service, region, account, name = parts
    assembly = owner.stack.assembly
    if service == "logs" and name.startswith("log-group:"):
        wanted = name.removeprefix("log-group:").removesuffix(":*")
        return next((g for g in assembly.of_type("AWS::Logs::LogGroup")
                     if (g.stack.region, g.stack.account) == (region, account)
                     and text(g.prop("LogGroupName"), g) == wanted), None)
    if service == "s3" and not region and not account and "/" not in name:
        return next((b for b in assembly.of_type("AWS::S3::Bucket") if text(b.prop("BucketName"), b) == name), None)
    return None


RULE = Rule(
    name="WebAclProtections",
    clauses=("CLD.9.5.2",),
    resource_types=("AWS::WAFv2::WebACL",),
    info="The web ACL lacks a blocking AWS managed rule group or rate limit, or its logs are not kept 365 days.",
    explanation=(
        "A web ACL blocks attacks only if its rules block: it runs the AWS managed rule groups "
        + ", ".join(REQUIRED_MANAGED_RULE_GROUPS)
        + " with OverrideAction None (a Count override only counts), and a rate-based rule with Action Block. "
        "Its requests are logged through an AWS::WAFv2::LoggingConfiguration to a log group kept at least 365 "
        "days or a bucket whose lifecycle deletes nothing earlier. The WebApplicationFirewall construct builds "
        "such a web ACL."
    ),
    check=web_acl_protections,
    security_hub=("WAF.10", "WAF.11"),
)
