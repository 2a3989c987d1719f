"""The audit's result model: the clause report's JSON shape (kind "audit"), so the same renderers serve it.

Each finding is an evaluation whose ``result`` is pass, fail or unverified and whose ``status`` is the model's
word for it (compliant, violated, unresolved). With the clause report of the same directory at hand, each
clause also gets the combined view: what the templates promise beside what the account shows."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from compliance.audit.framework import Result
from compliance.audit.runner import CheckRun
from compliance.catalogue import Catalogue, load_catalogue
from config.settings import AuditAcknowledgement
from compliance.results import CLAUSE_STATUSES, EVALUATION_STATUSES, SCHEMA_VERSION, _clause, _versions

PACK = "Audit"
STATUS_OF = {Result.PASS: "compliant", Result.FAIL: "violated", Result.UNVERIFIED: "unresolved"}
RESULTS = tuple(result.value for result in Result)
REPORT_STEM = "audit-report"


def build_audit_report(runs: list[CheckRun], *, account_id: str, region: str, environment: str,
                       endpoint_url: str | None = None, clause_report: dict[str, Any] | None = None,
                       acknowledgements: tuple[AuditAcknowledgement, ...] = (),
                       inherited: dict[tuple[str, str], dict[str, str]] | None = None, inherited_note: str = "",
                       catalogue: Catalogue | None = None, generated_at: datetime | None = None) -> dict[str, Any]:
    """``acknowledgements`` (configuration) and ``inherited`` (the clause report's, per check id and resource)
    accept a failure, never an unverified result."""
    catalogue = catalogue or load_catalogue()
    rules = {f"{PACK}-{run.check.id}": {
        "id": f"{PACK}-{run.check.id}", "name": run.check.id, "description": run.check.title, "severity": "error",
        "clauses": list(run.check.clauses), "info": run.check.title,
    } for run in runs}
    unknown = sorted({c for rule in rules.values() for c in rule["clauses"]} - set(catalogue.ids))
    if unknown:
        raise ValueError(f"audit checks cite clauses not in the catalogue: {', '.join(unknown)}")
    evaluations = [
        {"rule": f"{PACK}-{run.check.id}", "clauses": list(run.check.clauses), "path": f.resource,
         "stack": f.region, "logical_id": "", "type": f.resource_type, "status": STATUS_OF[f.result],
         "outcome": f.result.value, "result": f.result.value, "evidence": f.evidence, "acknowledgement": None}
        for run in runs for f in run.findings
    ]
    used = _acknowledge(evaluations, acknowledgements)
    for evaluation in evaluations:
        template = (inherited or {}).get((evaluation["rule"].removeprefix(f"{PACK}-"), evaluation["path"]))
        if template is not None and evaluation["status"] == "violated":
            evaluation["status"] = "acknowledged"
            evaluation["acknowledgement"] = {"reason": template["reason"],
                                             "from": f"{template['rule']} at {template['path']} (clause report)"}
    clauses = [_audit_clause(clause, catalogue, rules, evaluations) for clause in catalogue.clauses]
    blocking = [
        {"pack": PACK, "rule": e["rule"], "clauses": e["clauses"], "path": e["path"], "status": e["status"],
         "result": e["result"], "message": f"{e['result']}: {e['evidence']}"}
        for e in evaluations if e["status"] in ("violated", "unresolved")
    ]
    resources = _resources(evaluations, catalogue.ids)
    regions = sorted({e["stack"] for e in evaluations} | {region})
    document = {
        "schema_version": SCHEMA_VERSION,
        "kind": "audit",
        "title": "ISO/IEC 27017 live audit",
        "document": {"ja": catalogue.document_ja, "en": catalogue.document_en, "standard": catalogue.standard},
        "generated_at": (generated_at or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "source": {
            "environment": environment,
            "assembly": f"account {account_id}, region {region}" + (f", endpoint {endpoint_url}" if endpoint_url else ""),
            "account": account_id,
            "region": region,
            "endpoint_url": endpoint_url,
            "template_acknowledgements": inherited_note,
            "stacks": [{"name": where, "stack_name": "-", "environment": f"aws://{account_id}/{where}",
                        "resources": sum(1 for r in resources if r["stack"] == where)} for where in regions],
            "packs": [{"name": PACK, "registered": True, "unacknowledged": len(blocking)}],
            "tools": _versions("boto3", "botocore"),
            "checks": [{"id": run.check.id, "seconds": round(run.seconds, 2), "findings": len(run.findings)}
                       for run in runs],
        },
        "gate": {"passed": not blocking, "blocking": blocking},
        "summary": {
            "clauses": {s: sum(1 for c in clauses if c["status"] == s) for s in CLAUSE_STATUSES},
            "evaluations": {s: sum(1 for e in evaluations if e["status"] == s) for s in EVALUATION_STATUSES},
            "results": {r: sum(1 for e in evaluations if e["result"] == r) for r in RESULTS},
            "coverage": {"evaluated": len(resources), "total": len(resources), "percent": 100.0 if resources else 0.0},
            "acknowledgements": sum(1 for e in evaluations if e["status"] == "acknowledged"),
            "findings_other_packs": 0,
        },
        "clauses": clauses,
        "rules": list(rules.values()),
        "resources": resources,
        "findings": [],
        "acknowledgements": [
            {"pack": PACK, "rule": f"{PACK}-{a.check}", "path": a.resource, "reason": a.reason, "owner": "",
             "expires": "", "expired": False, "reason_ok": True, "matched": index in used}
            for index, a in enumerate(acknowledgements)
        ],
        "scanner_skips": [],
        "network": None,
        "assets": [],
        "combined": combined_view(clauses, clause_report),
    }
    return document


def _acknowledge(evaluations: list[dict[str, Any]], acknowledgements: tuple[AuditAcknowledgement, ...]) -> set[int]:
    """Mark each failure an acknowledgement covers; the indexes of the acknowledgements that matched something."""
    used = set()
    patterns = [(f"{PACK}-{a.check}", re.compile(re.escape(a.resource).replace(r"\*", ".*") + r"\Z"), a)
                for a in acknowledgements]
    for evaluation in evaluations:
        if evaluation["result"] != Result.FAIL.value:
            continue
        for index, (rule, pattern, acknowledgement) in enumerate(patterns):
            if rule == evaluation["rule"] and pattern.match(evaluation["path"]):
                evaluation["status"] = "acknowledged"
                evaluation["acknowledgement"] = {"reason": acknowledgement.reason, "pattern": acknowledgement.resource}
                used.add(index)
                break
    return used


def _audit_clause(clause: Any, catalogue: Catalogue, rules: dict[str, Any],
                  evaluations: list[dict[str, Any]]) -> dict[str, Any]:
    entry = _clause(clause, catalogue, rules, evaluations)
    counts = {r: sum(1 for rule in entry["rules"] for e in rule["evaluations"] if e["result"] == r) for r in RESULTS}
    entry["results"] = counts
    if entry["status"] == "unresolved":
        entry["status_note"] = (f"{counts['unverified']} check result(s) unverified (denied, not enabled, "
                                "throttled or unsupported): not counted as passes.")
    elif entry["status"] == "not evaluated" and clause.category == "infrastructure":
        entry["status_note"] = "No audit check reads this clause in a live account yet."
    return entry


def _resources(evaluations: list[dict[str, Any]], clause_order: tuple[str, ...]) -> list[dict[str, Any]]:
    by_path: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for evaluation in evaluations:
        by_path.setdefault((evaluation["path"], evaluation["stack"]), []).append(evaluation)
    return [
        {"path": path, "stack": region, "logical_id": "", "type": own[0]["type"], "evaluated": True,
         "clauses": sorted({c for e in own for c in e["clauses"]}, key=clause_order.index),
         "evaluations": [{"rule": e["rule"], "status": e["status"]} for e in own]}
        for (path, region), own in sorted(by_path.items())
    ]


def combined_view(audit_clauses: list[dict[str, Any]], clause_report: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Per clause: the clause report's status and counts (what the templates promise) beside the audit's (what
    the account shows). Empty without a clause report."""
    if clause_report is None:
        return []
    promised = {c["id"]: c for c in clause_report.get("clauses", [])}
    return [
        {"id": c["id"], "title_ja": c["title_ja"], "title_en": c["title_en"], "category": c["category"],
         "templates": {"status": promised[c["id"]]["status"], "counts": promised[c["id"]]["counts"],
                       "rules": [r["id"] for r in promised[c["id"]]["rules"]]} if c["id"] in promised else None,
         "account": {"status": c["status"], "results": c["results"], "checks": [r["id"] for r in c["rules"]]}}
        for c in audit_clauses
    ]

