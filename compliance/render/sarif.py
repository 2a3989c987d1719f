"""SARIF 2.1.0 for code scanning: one run of the ISO27017 pack, a result per finding that is not a pass.

Reads the report JSON and, optionally, where each construct was created in the source
(``{construct path: {"uri": ..., "line": ...}}``, see compliance.sources).
"""

from __future__ import annotations

import json
from typing import Any, Mapping

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
DRIVER = "ISO27017"
SOURCE_ROOT = "%SRCROOT%"
_RESULT_STATUSES = ("violated", "unresolved", "acknowledged")


def render_sarif(report: dict[str, Any], sources: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    sources = sources or {}
    resources = {r["path"]: r for r in report["resources"]}
    rules = report["rules"]
    evaluations = evaluations_by_rule(report)
    acknowledgements = {(a["rule"], a["path"]): a for a in report["acknowledgements"]}
    results = [
        _evaluation_result(rule, evaluation, index, acknowledgements, sources)
        for index, rule in enumerate(rules) for evaluation in evaluations[rule["id"]]
        if evaluation["status"] in _RESULT_STATUSES
    ]
    results += [_finding_result(f, resources, sources) for f in report["findings"]]
    results += [_acknowledgement_result(a, resources, sources)
                for a in report["acknowledgements"] if a["pack"] != DRIVER]
    results += [_gate_result(item, resources, sources) for item in gate_only(report, evaluations)]
    source = report["source"]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": DRIVER, "rules": [_descriptor(rule) for rule in rules]}},
        "invocations": [{"executionSuccessful": True}],
        "results": results,
        "properties": {
            "gate": {"passed": report["gate"]["passed"], "blocking": len(report["gate"]["blocking"])},
            "environment": source.get("environment"),
            "generated_at": report["generated_at"],
            "tools": source["tools"],
        },
    }
    if source.get("environment"):
        run["automationDetails"] = {"id": f"{DRIVER.lower()}/{source['environment']}/"}
    if sources:
        run["originalUriBaseIds"] = {SOURCE_ROOT: {"description": {"text": "The project's root directory."}}}
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=1, ensure_ascii=False) + "\n"


def evaluations_by_rule(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Each rule's evaluations once, although a rule citing several clauses is listed under each."""
    by_rule: dict[str, dict[str, dict[str, Any]]] = {rule["id"]: {} for rule in report["rules"]}
    for clause in report["clauses"]:
        for rule in clause["rules"]:
            for evaluation in rule["evaluations"]:
                by_rule.setdefault(rule["id"], {}).setdefault(evaluation["path"], evaluation)
    return {rule: list(evaluations.values()) for rule, evaluations in by_rule.items()}


def _descriptor(rule: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": rule["id"],
        "name": rule["name"],
        "shortDescription": {"text": rule["info"]},
        "fullDescription": {"text": rule["explanation"]},
        "help": {"text": rule["explanation"]},
        "defaultConfiguration": {"level": _level(rule["severity"])},
        "properties": {
            "clauses": rule["clauses"],
            "security_hub": rule["security_hub"],
            "resource_types": rule["resource_types"],
            "tags": list(dict.fromkeys(rule["clauses"])),
        },
    }


def _evaluation_result(rule: dict[str, Any], evaluation: dict[str, Any], index: int,
                       acknowledgements: Mapping[tuple[str, str], dict[str, Any]],
                       sources: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    status = evaluation["status"]
    clauses = rule["clauses"]
    if evaluation["outcome"] == "unresolved":
        said = f"Could not be verified at synth time: {evaluation['evidence']}"
    else:
        said = f"Evidence: {evaluation['evidence']}"
    level = {"unresolved": "error", "acknowledged": "note"}.get(status, _level(rule["severity"]))
    result: dict[str, Any] = {
        "ruleId": rule["id"],
        "ruleIndex": index,
        "level": level,
        "message": {"text": f"[{', '.join(clauses)}] {rule['info']} {said}"},
        "locations": [_location(evaluation["path"], evaluation, sources)],
        "properties": {"pack": DRIVER, "status": status, "clauses": clauses, "evidence": evaluation["evidence"],
                       "tags": list(dict.fromkeys(clauses))},
    }
    acknowledgement = evaluation.get("acknowledgement")
    if status == "acknowledged" and acknowledgement:
        entry = acknowledgements.get((acknowledgement["id"], acknowledgement["path"]), acknowledgement)
        result["suppressions"] = [_suppression(acknowledgement["reason"], acknowledgement["path"], entry)]
    return result


def _finding_result(finding: dict[str, Any], resources: Mapping[str, Any],
                    sources: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    return {
        "ruleId": finding["rule"],
        "level": _level(finding["severity"]),
        "message": {"text": f"{finding['pack']}: {finding['description']}"},
        "locations": [_location(finding["path"], resources.get(finding["path"]), sources)],
        "properties": {"pack": finding["pack"], "status": "violated", "severity": finding["severity"]},
    }


def _acknowledgement_result(acknowledgement: dict[str, Any], resources: Mapping[str, Any],
                            sources: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """CDK's report leaves out acknowledged findings of the other packs: the acknowledgement is all
    there is, so whether its finding still occurs is not known."""
    path = acknowledgement["path"]
    return {
        "ruleId": acknowledgement["rule"],
        "level": "note",
        "message": {"text": f"{acknowledgement['pack']}: {acknowledgement['rule']} acknowledged on "
                            f"{path or 'the app'}: {acknowledgement['reason']}"},
        "locations": [_location(path, resources.get(path), sources)] if path else [],
        "suppressions": [_suppression(acknowledgement["reason"], path, acknowledgement)],
        "properties": {"pack": acknowledgement["pack"], "status": "acknowledged", "matched": "not tracked"},
    }


def _gate_result(item: dict[str, Any], resources: Mapping[str, Any],
                 sources: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    path = item["path"]
    return {
        "ruleId": item["rule"],
        "level": "error",
        "message": {"text": f"{item['pack']}: {item['message']}"},
        "locations": [_location(path, resources.get(path), sources)] if path else [],
        "properties": {"pack": item["pack"], "status": item["status"], "clauses": item["clauses"]},
    }


def gate_only(report: dict[str, Any], evaluations: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Blocking items that are neither an ISO27017 evaluation nor another pack's finding: a plugin that
    did not run, a weak acknowledgement reason, a disagreement between CDK's report and the records."""
    blocking = {(DRIVER, rule, e["path"]) for rule, own in evaluations.items()
                for e in own if e["status"] in ("violated", "unresolved")}
    blocking |= {(f["pack"], f["rule"], f["path"]) for f in report["findings"]}
    return [item for item in report["gate"]["blocking"] if (item["pack"], item["rule"], item["path"]) not in blocking]


def _location(path: str, resource: Mapping[str, Any] | None,
              sources: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    logical: dict[str, Any] = {"fullyQualifiedName": path, "kind": "resource"}
    if resource:
        logical["name"] = resource["logical_id"]
        logical["properties"] = {key: resource[key] for key in ("stack", "type", "logical_id")}
    location: dict[str, Any] = {"logicalLocations": [logical]}
    source = sources.get(path)
    if source:
        location["physicalLocation"] = {
            "artifactLocation": {"uri": source["uri"], "uriBaseId": SOURCE_ROOT},
            "region": {"startLine": source["line"]},
        }
    return location


def _suppression(reason: str, path: str, acknowledgement: Mapping[str, Any]) -> dict[str, Any]:
    """Rejected when the gate does not accept the acknowledgement: no real reason, or expired."""
    held = acknowledgement.get("reason_ok", True) and not acknowledgement.get("expired")
    suppression: dict[str, Any] = {"kind": "inSource", "status": "accepted" if held else "rejected",
                                   "justification": reason}
    if path:
        suppression["location"] = {"logicalLocations": [{"fullyQualifiedName": path}]}
    properties = {key: acknowledgement[key] for key in ("owner", "expires") if acknowledgement.get(key)}
    if properties:
        suppression["properties"] = properties
    return suppression


def _level(severity: str) -> str:
    return {"error": "error", "warning": "warning"}.get(severity, "note")
