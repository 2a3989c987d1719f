from typing import Any

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import text
from nag_rules.delivery import BACKUP, TOPIC, deliver, event_pattern, first_of, matches_source, outside_topic, \
    routing_verdict, rule_problems, rules_in_environment
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, not_applicable, unresolved

HUB_SOURCE, HUB_DETAIL_TYPE = "aws.securityhub", "Security Hub Findings - Imported"
SEVERE = ("CRITICAL", "HIGH")
BACKUP_SOURCE, BACKUP_DETAIL_TYPE = "aws.backup", "Backup Job State Change"
FAILURES = ("FAILED", "ABORTED", "EXPIRED")
VAULT_EVENT = "BACKUP_JOB_COMPLETED"
"""The vault notification that carries every finished backup job, failed, aborted and expired ones included."""
DEPRECATED_VAULT_EVENTS = ("BACKUP_JOB_FAILED", "BACKUP_JOB_EXPIRED")
"""Vault notification events AWS Backup still accepts but no longer sends."""


def incidents_routed(resource: Resource) -> Check:
    if resource.type == "AWS::SecurityHub::Hub":
        routes = [c for c in (_rule(r, resource, HUB_SOURCE, "Security Hub", _hub_filters)
                              for r in rules_in_environment(resource)) if c is not None]
        missing = (f"no EventBridge rule in {resource.stack.environment} matches {HUB_SOURCE} {HUB_DETAIL_TYPE} "
                   "events: critical and high findings reach no one")
    elif resource.type == "AWS::Backup::BackupVault":
        routes = [c for c in (_rule(r, resource, BACKUP_SOURCE, "AWS Backup", _backup_filters)
                              for r in rules_in_environment(resource)) if c is not None]
        if resource.prop("Notifications") is not None:
            routes.append(_vault_notifications(resource))
        missing = (f"no EventBridge rule in {resource.stack.environment} matches {BACKUP_SOURCE} "
                   f"{BACKUP_DETAIL_TYPE} events and Notifications is absent: failed backups reach no one")
    else:
        return not_applicable()
    return first_of(routes) if routes else non_compliant(missing)


def _rule(rule: Resource, subject: Resource, source: str, service: str, filters: Any) -> Check | None:
    """Whether ``rule`` delivers ``subject``'s incidents to a topic someone subscribes to; None if it does not
    match ``source`` at all."""
    pattern = event_pattern(rule)
    if not isinstance(pattern, dict):
        return pattern
    if not matches_source(pattern, source):
        return None
    problems, unknown = rule_problems(rule, pattern, service)
    more, open_ = filters(subject, pattern)
    problems, unknown = problems + more, unknown + open_
    delivered = routing_verdict(rule, problems, unknown, f"{source} events")
    if delivered.outcome is not Outcome.COMPLIANT:
        return delivered
    return compliant(f"{rule.path} sends {_describe(pattern)} to {delivered.evidence}")


def _describe(pattern: dict[str, Any]) -> str:
    detail = pattern.get("detail") or {}
    filters = [f"{key} {show(value)}" for key, value in detail.items()] if isinstance(detail, dict) else []
    types = pattern.get("detail-type")
    kinds = ", ".join(types) if isinstance(types, list) else "every detail-type"
    return f"{', '.join(pattern['source'])} {kinds} events ({'; '.join(filters) or 'unfiltered'})"


def _detail_types(pattern: dict[str, Any], wanted: str) -> list[str]:
    types = pattern.get("detail-type")
    if types is not None and (not isinstance(types, list) or wanted not in types):
        return [f"detail-type = {show(types)}, not {wanted}"]
    return []


def _hub_filters(hub: Resource, pattern: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Why the pattern leaves out some new, active critical or high findings."""
    problems = _detail_types(pattern, HUB_DETAIL_TYPE)
    detail = pattern.get("detail") or {}
    if not isinstance(detail, dict):
        return [*problems, f"detail = {show(detail)}"], []
    problems += [f"filters findings by detail.{k} = {show(v)}" for k, v in detail.items() if k != "findings"]
    findings = detail.get("findings") or {}
    if not isinstance(findings, dict):
        return [*problems, f"detail.findings = {show(findings)}"], []
    for key, value in findings.items():
        if key == "Severity" and isinstance(value, dict) and list(value) == ["Label"]:
            missing = [s for s in SEVERE if not isinstance(value["Label"], list) or s not in value["Label"]]
            if missing:
                problems.append(f"severity labels {show(value['Label'])} leave out {', '.join(missing)}")
        elif key == "Workflow" and isinstance(value, dict) and list(value) == ["Status"] and \
                isinstance(value["Status"], list) and "NEW" in value["Status"]:
            continue
        elif key == "RecordState" and isinstance(value, list) and "ACTIVE" in value:
            continue
        else:
            problems.append(f"filters findings by detail.findings.{key} = {show(value)}")
    return problems, []


def _backup_filters(vault: Resource, pattern: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Why the pattern leaves out some failed, aborted or expired backup jobs of ``vault``."""
    problems, unknown = _detail_types(pattern, BACKUP_DETAIL_TYPE), []
    detail = pattern.get("detail") or {}
    if not isinstance(detail, dict):
        return [*problems, f"detail = {show(detail)}"], []
    for key, value in detail.items():
        if key == "state":
            missing = [s for s in FAILURES if not isinstance(value, list) or s not in value]
            if missing:
                problems.append(f"state filter {show(value)} leaves out {', '.join(missing)}")
        elif key == "backupVaultName":
            name = text(vault.prop("BackupVaultName"), vault)
            if name is None:
                unknown.append(f"whether detail.backupVaultName {show(value)} names {vault.path}, whose name is "
                               "known only at deploy time")
            elif not isinstance(value, list) or name not in value:
                problems.append(f"detail.backupVaultName = {show(value)} leaves out {name}")
        else:
            problems.append(f"filters jobs by detail.{key} = {show(value)}")
    return problems, unknown


def _vault_notifications(vault: Resource) -> Check:
    events, arn = vault.prop("Notifications", "BackupVaultEvents"), vault.prop("Notifications", "SNSTopicArn")
    if is_intrinsic(events) or not isinstance(events, list):
        return unresolved(f"Notifications.BackupVaultEvents = {show(events)}")
    if VAULT_EVENT not in events:
        deprecated = [e for e in events if e in DEPRECATED_VAULT_EVENTS]
        note = (f" ({', '.join(deprecated)}: deprecated events AWS Backup no longer sends)" if deprecated else "")
        return non_compliant(f"Notifications.BackupVaultEvents = {show(events)} leaves out {VAULT_EVENT}, the "
                             f"event of failed, aborted and expired backup jobs{note}")
    topic = vault.target(arn)
    if topic is not None and topic.type == TOPIC:
        delivered = deliver(vault, topic, BACKUP)
    elif topic is not None:
        delivered = non_compliant(f"{topic.path} ({topic.type}): not an SNS topic")
    elif (literal := text(arn, vault)) is None:
        delivered = unresolved(f"SNSTopicArn = {show(arn)} (known only at deploy time)")
    else:
        delivered = outside_topic(vault, literal, BACKUP)
    if delivered.outcome is not Outcome.COMPLIANT:
        return Check(delivered.outcome, f"Notifications ({VAULT_EVENT}): {delivered.evidence}")
    return compliant(f"Notifications sends {VAULT_EVENT} to {delivered.evidence}")


RULE = Rule(
    name="IncidentsRouted",
    clauses=("16.1.1", "16.1.2"),
    resource_types=("AWS::SecurityHub::Hub", "AWS::Backup::BackupVault"),
    info="Critical and high Security Hub findings, or failed backup jobs, reach no one: no enabled EventBridge "
         "rule (or vault notification) delivers them to an encrypted SNS topic someone subscribes to.",
    explanation=(
        "Security incidents and their signs are reported to the people who act on them. In the hub's account "
        "and region an enabled EventBridge rule on the default bus matches source aws.securityhub, detail-type "
        "'Security Hub Findings - Imported', severity labels including CRITICAL and HIGH (workflow status NEW "
        "and record state ACTIVE may narrow it; nothing else); in each vault's account and region a rule "
        "matches source aws.backup, detail-type 'Backup Job State Change' and states FAILED, ABORTED and "
        "EXPIRED (or no state filter), or the vault's Notifications send BACKUP_JOB_COMPLETED (BACKUP_JOB_FAILED "
        "is deprecated and no longer sent). The rule targets an SNS topic of this app, encrypted with a customer "
        "managed key, with at least one subscription, that EventBridge (or AWS Backup) can publish to and whose "
        "key it can use, as GuardDutyFindingsRouted explains; IncidentRouting in constructs_lib/posture.py "
        "builds both rules."
    ),
    check=incidents_routed,
)
