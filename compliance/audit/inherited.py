"""The clause report's acknowledgements, carried over to the same resources in the live account.

A failure of an audit check is accepted when the ISO27017 rule checking the same property (``synth_rule``)
was acknowledged, with its reason, on the resource CloudFormation created it from: the live resource's
``aws:cloudformation:stack-name`` and ``aws:cloudformation:logical-id`` tags name that template resource."""

from __future__ import annotations

from typing import Any

from compliance.audit.framework import Account, Unverifiable, call
from compliance.audit.runner import CheckRun

STACK_TAG = "aws:cloudformation:stack-name"
LOGICAL_ID_TAG = "aws:cloudformation:logical-id"
BATCH = 100
"""The most ARNs tag:GetResources takes at once."""


def template_acknowledgements(clause_report: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, str]]:
    """(rule, stack name, logical ID) -> the acknowledgement's reason and construct path, for the acknowledgements
    the gate accepts: an expired one, or one without a real reason, is not carried over."""
    stack_names = {s["name"]: s["stack_name"] for s in clause_report.get("source", {}).get("stacks", [])}
    rejected = {(a.get("rule"), a.get("path")) for a in clause_report.get("acknowledgements", [])
                if a.get("expired") or not a.get("reason_ok", True)}
    found = {}
    for clause in clause_report.get("clauses", []):
        for rule in clause["rules"]:
            for evaluation in rule["evaluations"]:
                if (rule["id"], evaluation.get("path")) in rejected:
                    continue
                if evaluation["status"] == "acknowledged" and evaluation["stack"] in stack_names:
                    key = (rule["id"], stack_names[evaluation["stack"]], evaluation["logical_id"])
                    found[key] = {"reason": evaluation["acknowledgement"]["reason"], "path": evaluation["path"]}
    return found


def carried_over(account: Account, runs: list[CheckRun],
                 clause_report: dict[str, Any] | None) -> tuple[dict[tuple[str, str], dict[str, str]], str]:
    """(check id, resource) -> acknowledgement for each failure the clause report already accepted, and a line
    saying how many were carried over (or why none could be)."""
    if clause_report is None:
        return {}, "no clause report beside the audit: nothing carried over"
    acknowledged = template_acknowledgements(clause_report)
    failures = [(run.check, f.resource) for run in runs if run.check.synth_rule
                for f in run.findings if f.result.value == "fail" and f.resource.startswith("arn:")]
    if not failures or not acknowledged:
        return {}, "0 carried over from the clause report"
    try:
        identities = _cloudformation_identities(account, sorted({arn for _, arn in failures}))
    except Unverifiable as error:
        return {}, f"none carried over: {error}"
    accepted = {}
    for check, arn in failures:
        identity = identities.get(arn)
        template = acknowledged.get((check.synth_rule, *identity)) if identity else None
        if template is not None:
            accepted[(check.id, arn)] = {**template, "rule": check.synth_rule}
    return accepted, f"{len(accepted)} carried over from the clause report"


def _cloudformation_identities(account: Account, arns: list[str]) -> dict[str, tuple[str, str]]:
    tagging = account.client("resourcegroupstaggingapi")
    identities = {}
    for start in range(0, len(arns), BATCH):
        answer = call(tagging, "get_resources", ResourceARNList=arns[start:start + BATCH])
        for mapping in answer.get("ResourceTagMappingList", []):
            tags = {tag["Key"]: tag["Value"] for tag in mapping.get("Tags", [])}
            if STACK_TAG in tags and LOGICAL_ID_TAG in tags:
                identities[mapping["ResourceARN"]] = (tags[STACK_TAG], tags[LOGICAL_ID_TAG])
    return identities
