"""The one result model: every clause, how it is met, by which resources, with what evidence.

Built from a synthesized cloud assembly (templates, metadata, CDK's validation report and the
ISO27017 pack's evaluation records) and written as JSON. Renderers read only that JSON.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

from compliance.assets import asset_register
from compliance.catalogue import Catalogue, Clause, load_catalogue
from compliance.conformance import config_rules_by_clause, conformance_pack_template, unmapped_reasons
from compliance.network import network_model
from config import DEFAULT_ENVIRONMENT, ConfigurationError, EnvironmentSettings, load_environment
from config.settings import is_real_reason
from nag_rules.assembly import CloudAssembly
from nag_rules.engine import PACK_NAME
from nag_rules.engine import EVALUATIONS_FILE

SCHEMA_VERSION = 1
VALIDATION_REPORT_FILE = "validation-report.json"
REPORT_STEM = "clause-report"
IGNORED_TYPES = ("AWS::CDK::Metadata",)
SCANNER = "checkov"

EVALUATION_STATUSES = ("compliant", "violated", "acknowledged", "unresolved")
CLAUSE_STATUSES = (
    "met", "violated", "unresolved", "acknowledged", "not evaluated",
    "shared", "aws-inherited", "organisational", "customer",
)
BLOCKING = ("violated", "unresolved")
ACKNOWLEDGEMENT_RULE = "acknowledgement-reason"
ACKNOWLEDGEMENT_EXPIRY_RULE = "acknowledgement-expired"


class ReportError(Exception):
    """The assembly cannot be reported on; the message says why and what to do."""


@dataclass(frozen=True)
class Inputs:
    assembly: CloudAssembly
    evaluations: dict[str, Any]
    validation_report: dict[str, Any] | None


def read_inputs(assembly_dir: Path) -> Inputs:
    assembly = CloudAssembly.load(assembly_dir)
    records = assembly_dir / EVALUATIONS_FILE
    if not records.is_file():
        raise ReportError(
            f"{records}: missing. The {PACK_NAME} pack did not run on this assembly: "
            "register Iso27017Checks with Validations.of(app).add_plugins(...) in app.py"
        )
    evaluations = _load(records)
    recorded = evaluations.get("templates")
    if recorded != assembly.template_hashes:
        raise ReportError(
            f"{records}: made from other templates than the ones in {assembly_dir} (stale records); "
            "synthesize again into an empty directory"
        )
    validation = assembly_dir / VALIDATION_REPORT_FILE
    report = _load(validation) if validation.is_file() else None
    return Inputs(assembly, evaluations, report)


def _load(file: Path) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ReportError(f"{file}: unreadable ({error})") from None


def build_report(
    assembly_dir: Path | str,
    *,
    assembly_label: str | None = None,
    catalogue: Catalogue | None = None,
    generated_at: datetime | None = None,
    config_file: Path | str | None = None,
) -> dict[str, Any]:
    """``config_file``: the environments file the app was synthesized with (the Config rules' parameters)."""
    directory = Path(assembly_dir)
    inputs = read_inputs(directory)
    catalogue = catalogue or load_catalogue()
    rules = {rule["id"]: rule for rule in inputs.evaluations["rules"]}
    evaluations = inputs.evaluations["evaluations"]
    unknown = sorted({c for rule in rules.values() for c in rule["clauses"]} - set(catalogue.ids))
    if unknown:
        raise ReportError(f"rules cite clauses not in the catalogue: {', '.join(unknown)}")

    resources = _resources(inputs.assembly, evaluations, catalogue.ids)
    findings, plugin_problems = _plugin_findings(inputs.validation_report, evaluations)
    today = (generated_at or datetime.now(timezone.utc)).date()
    acknowledgements = _acknowledgements(inputs.assembly, evaluations, today, inputs.validation_report)
    weak = [a for a in acknowledgements if not a["reason_ok"]]
    expired = [a for a in acknowledgements if a["expired"]]
    settings, settings_note = _settings(inputs.evaluations.get("environment"), config_file)
    watch = config_rules_by_clause(settings), unmapped_reasons()
    clauses = [_clause(clause, catalogue, rules, evaluations, watch) for clause in catalogue.clauses]

    blocking = [
        {"pack": PACK_NAME, "rule": e["rule"], "clauses": e["clauses"], "path": e["path"],
         "status": e["status"], "message": _evaluation_message(e, rules)}
        for e in evaluations if e["status"] in BLOCKING
    ]
    blocking += [_problem(f["pack"], f["rule"], f["description"], path=f["path"]) for f in findings]
    blocking += plugin_problems
    blocking += [
        {"pack": a["pack"], "rule": ACKNOWLEDGEMENT_RULE, "clauses": [], "path": a["path"], "status": "violated",
         "message": f"acknowledgement of {a['rule']} has no real reason ({a['reason']!r}): "
                    "give at least one full sentence saying why the exception is justified"}
        for a in weak
    ]
    blocking += [
        {"pack": a["pack"], "rule": ACKNOWLEDGEMENT_EXPIRY_RULE, "clauses": [], "path": a["path"], "status": "violated",
         "message": f"acknowledgement of {a['rule']} expired on {a['expires']} (owner: {a['owner'] or 'none named'}): "
                    "fix the finding, or review the exception and give it a new expiry date"
         if _is_date(a["expires"]) else
         f"acknowledgement of {a['rule']} has expires = {a['expires']!r}; allowed: an ISO date such as 2027-03-31"}
        for a in expired
    ]
    evaluated = sum(1 for r in resources if r["evaluated"])
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "synth",
        "title": "ISO/IEC 27017 clause report",
        "document": {
            "ja": catalogue.document_ja,
            "en": catalogue.document_en,
            "standard": catalogue.standard,
        },
        "generated_at": (generated_at or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "source": {
            "environment": inputs.evaluations.get("environment"),
            "assembly": assembly_label or str(directory),
            "stacks": [
                {
                    "name": stack.display_name,
                    "stack_name": stack.stack_name,
                    "environment": stack.environment,
                    "account": stack.account,
                    "region": stack.region,
                    "resources": sum(1 for r in stack.resources.values() if r.type not in IGNORED_TYPES),
                }
                for stack in inputs.assembly.stacks
            ],
            "packs": _packs(inputs.evaluations.get("packs", [PACK_NAME]), inputs.validation_report),
            "tools": _versions("aws-cdk-lib", "cdk-nag", "constructs"),
        },
        "gate": {"passed": not blocking, "blocking": blocking},
        "summary": {
            "clauses": _count((c["status"] for c in clauses), CLAUSE_STATUSES),
            "evaluations": _count((e["status"] for e in evaluations), EVALUATION_STATUSES),
            "coverage": {
                "evaluated": evaluated,
                "total": len(resources),
                "percent": round(100 * evaluated / len(resources), 1) if resources else 0.0,
            },
            "acknowledgements": len(acknowledgements),
            "findings_other_packs": len(findings),
        },
        "clauses": clauses,
        "rules": list(rules.values()),
        "resources": resources,
        "findings": findings,
        "acknowledgements": acknowledgements,
        "scanner_skips": scanner_skips(inputs.assembly),
        "network": network_model(inputs.assembly),
        "assets": asset_register(inputs.assembly, evaluations),
        "conformance_pack": conformance_pack_template(settings),
        "conformance_pack_parameters": settings_note,
    }


def _settings(environment: str | None, config_file: Path | str | None) -> tuple[EnvironmentSettings, str]:
    """The settings the Config rules' parameters come from, and which ones they are: the synthesized environment's,
    or, said so, the default environment's when it cannot be loaded (an app that is not this project's)."""
    name = environment or DEFAULT_ENVIRONMENT
    try:
        return load_environment(name, config_file), f"environment {name}" + (f" of {config_file}" if config_file else "")
    except ConfigurationError as error:
        return load_environment(DEFAULT_ENVIRONMENT), (f"the default environment's values: environment {name!r} could "
                                                       f"not be loaded ({str(error).splitlines()[0]})")


def _clause(
    clause: Clause, catalogue: Catalogue, rules: dict[str, Any], evaluations: list[dict[str, Any]],
    watch: tuple[dict[str, list[dict[str, Any]]], dict[str, str]] | None = None,
) -> dict[str, Any]:
    """``watch``: the AWS Config rules per clause and the reasons none exists (see compliance.conformance)."""
    clause_rules = [rule for rule in rules.values() if clause.id in rule["clauses"]]
    rule_entries = []
    clause_evaluations: list[dict[str, Any]] = []
    for rule in clause_rules:
        own = [e for e in evaluations if e["rule"] == rule["id"]]
        clause_evaluations += own
        rule_entries.append({
            "id": rule["id"],
            "description": rule["description"],
            "severity": rule["severity"],
            "evaluations": [_evaluation_entry(e) for e in own],
        })
    status, note = _clause_status(clause, clause_rules, clause_evaluations)
    chapter_ja, chapter_en = catalogue.chapters[clause.chapter]
    watched = {} if watch is None else {
        "config_rules": watch[0].get(clause.id, []),
        "config_rules_note": watch[1].get(clause.id, ""),
    }
    return {
        "id": clause.id,
        "chapter": clause.chapter,
        "chapter_title_ja": chapter_ja,
        "chapter_title_en": chapter_en,
        "title_ja": clause.title_ja,
        "title_en": clause.title_en,
        "category": clause.category,
        "status": status,
        "status_note": note,
        "statement_ja": clause.statement_ja,
        "summary_en": clause.summary_en,
        "control_en": clause.control_en,
        "remaining_en": list(clause.remaining_en),
        "security_hub": [control.to_dict() for control in clause.security_hub],
        "security_hub_note": clause.security_hub_note,
        "counts": {s: sum(1 for e in clause_evaluations if e["status"] == s) for s in EVALUATION_STATUSES},
        "rules": rule_entries,
        "resources": sorted({e["path"] for e in clause_evaluations}),
        **watched,
    }


def _clause_status(clause: Clause, rules: list[dict[str, Any]], evaluations: list[dict[str, Any]]) -> tuple[str, str]:
    counts = Counter(e["status"] for e in evaluations)
    if counts["violated"]:
        return "violated", f"{counts['violated']} unacknowledged violation(s)."
    if counts["unresolved"]:
        return "unresolved", (f"{counts['unresolved']} evaluation(s) depend on values known only at "
                              "deploy time; they are not counted as passes.")
    exceptions = (f" {counts['acknowledged']} acknowledged exception(s), each with its reason."
                  if counts["acknowledged"] else "")
    if clause.category != "infrastructure":
        if evaluations:
            contribution = f" Supporting evidence: {counts['compliant']} compliant evaluation(s).{exceptions}"
        elif clause.category == "shared" and rules:
            contribution = (f" Rules {', '.join(rule['id'] for rule in rules)} check the infrastructure part, but "
                            "nothing of the types they check is in this app.")
        elif clause.category == "shared":
            contribution = " No rule checks the infrastructure part yet."
        else:
            contribution = ""
        return clause.category, _CATEGORY_NOTES[clause.category] + contribution
    if not rules:
        return "not evaluated", "No rule checks this clause yet: nothing in this app is evidence for it."
    if not evaluations:
        names = ", ".join(rule["id"] for rule in rules)
        return "not evaluated", f"Rules {names} exist, but no resource of a type they check is in this app."
    if counts["compliant"]:
        return "met", f"{counts['compliant']} compliant evaluation(s).{exceptions}"
    return "acknowledged", f"Every evaluation is an acknowledged exception.{exceptions}"


_CATEGORY_NOTES = {
    "shared": "Shared: the infrastructure supports this clause; the application or the organisation completes it.",
    "aws-inherited": "Inherited from AWS under the shared responsibility model.",
    "organisational": "Organisational: met by the organisation's processes and documents, not by infrastructure.",
    "customer": "Customer: performed by customers in the application.",
}


def _evaluation_entry(evaluation: dict[str, Any]) -> dict[str, Any]:
    """The evaluation as a clause shows it; an audit's carries its pass/fail/unverified ``result`` too."""
    entry = {key: evaluation[key] for key in (
        "path", "stack", "logical_id", "type", "status", "outcome", "evidence", "acknowledgement",
    )}
    if "result" in evaluation:
        entry["result"] = evaluation["result"]
    return entry


def _evaluation_message(evaluation: dict[str, Any], rules: dict[str, Any]) -> str:
    """The finding in words; its clauses travel beside it."""
    if evaluation["outcome"] == "unresolved":
        return f"Could not be verified at synth time: {evaluation['evidence']}"
    return f"{rules[evaluation['rule']]['info']} Evidence: {evaluation['evidence']}"


def _resources(
    assembly: CloudAssembly, evaluations: list[dict[str, Any]], clause_order: tuple[str, ...],
) -> list[dict[str, Any]]:
    by_path: dict[str, list[dict[str, Any]]] = {}
    for evaluation in evaluations:
        by_path.setdefault(evaluation["path"], []).append(evaluation)
    resources = []
    for resource in assembly.resources():
        if resource.type in IGNORED_TYPES:
            continue
        own = by_path.get(resource.path, [])
        resources.append({
            "path": resource.path,
            "stack": resource.stack.display_name,
            "logical_id": resource.logical_id,
            "type": resource.type,
            "evaluated": bool(own),
            "clauses": sorted({c for e in own for c in e["clauses"]}, key=clause_order.index),
            "evaluations": [{"rule": e["rule"], "status": e["status"]} for e in own],
        })
    return resources


def _plugin_findings(
    validation_report: dict[str, Any] | None, evaluations: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Unacknowledged findings of the other packs (every one blocks, whatever its severity), failed
    plugin runs, and any disagreement between CDK's report and the ISO27017 records."""
    if validation_report is None:
        return [], [_problem("CDK", "validation-report", f"{VALIDATION_REPORT_FILE} is missing: the packs' "
                             "results cannot be verified", status="unresolved")]
    findings, problems = [], []
    reported_iso = set()
    for plugin in validation_report.get("pluginReports", []):
        pack = plugin.get("pluginName", "")
        violations = plugin.get("violations", [])
        if plugin.get("conclusion") != "success" and not violations:
            problems.append(_problem(pack, "plugin-run", f"the {pack} plugin reported "
                                     f"{plugin.get('conclusion')!r} without findings: it may not have run"))
        for violation in violations:
            for construct in violation.get("violatingConstructs", []):
                path = construct.get("constructPath", "")
                if pack == PACK_NAME:
                    reported_iso.add((violation.get("ruleName", ""), path))
                    continue
                findings.append({
                    "pack": pack,
                    "rule": violation.get("ruleName", ""),
                    "path": path,
                    "severity": violation.get("severity", ""),
                    "description": violation.get("description", ""),
                })
    recorded_iso = {(e["rule"], e["path"]) for e in evaluations if e["status"] in BLOCKING}
    problems += [
        _problem(PACK_NAME, rule, "CDK reported this finding but the pack's records do not hold it as blocking",
                 path=path)
        for rule, path in sorted(reported_iso - recorded_iso)
    ]
    return findings, problems


def _problem(pack: str, rule: str, message: str, *, path: str = "", status: str = "violated") -> dict[str, Any]:
    return {"pack": pack, "rule": rule, "clauses": [], "path": path, "status": status, "message": message}


def _suppressed(validation_report: dict[str, Any] | None) -> dict[str, list[tuple[str, str]]]:
    """Per plugin, the (rule, construct path) of each finding CDK suppressed for an acknowledgement. cdk-nag packs
    apply acknowledgements themselves and report none of this, so their acknowledgements stay untracked."""
    found: dict[str, list[tuple[str, str]]] = {}
    for plugin in (validation_report or {}).get("pluginReports", []):
        for violation in plugin.get("suppressedViolations") or []:
            for construct in violation.get("violatingConstructs", []):
                found.setdefault(plugin.get("pluginName", ""), []).append(
                    (violation.get("ruleName", ""), construct.get("constructPath", "")))
    return found


def _matches_suppressed(ack: Any, suppressed: dict[str, list[tuple[str, str]]]) -> bool | None:
    if ack.pack not in suppressed:
        return None
    rule = ack.rule_id.split("::", 1)[-1]
    return any(name == rule and (path == ack.path or path.startswith(ack.path + "/"))
               for name, path in suppressed[ack.pack])


def _is_date(value: Any) -> bool:
    try:
        date.fromisoformat(str(value))
        return True
    except ValueError:
        return False


def _acknowledgements(assembly: CloudAssembly, evaluations: list[dict[str, Any]], today: date,
                      validation_report: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    used = {
        (e["acknowledgement"]["id"], e["acknowledgement"]["path"])
        for e in evaluations if e.get("acknowledgement")
    }
    suppressed = _suppressed(validation_report)
    entries = []
    for ack in assembly.acknowledgements:
        is_iso = ack.rule_id.startswith(f"{PACK_NAME}-") or ack.rule_id.startswith(f"{PACK_NAME}::")
        entries.append({
            "rule": ack.rule_id,
            "pack": PACK_NAME if is_iso else ack.pack,
            "path": ack.path,
            "stack": ack.stack,
            "reason": ack.justification,
            "reason_ok": ack.has_real_reason,
            "owner": ack.owner,
            "expires": ack.expires.isoformat() if isinstance(ack.expires, date) else ack.expires,
            "expired": (ack.expires < today) if isinstance(ack.expires, date) else ack.expires is not None,
            "matched": ((ack.rule_id, ack.path) in used) if is_iso else _matches_suppressed(ack, suppressed),
        })
    return sorted(entries, key=lambda a: (a["pack"], a["rule"], a["path"]))


def scanner_skips(assembly: CloudAssembly) -> list[dict[str, Any]]:
    """Every check of an external scanner skipped in a resource's template metadata (checkov's
    ``{"checkov": {"skip": [{"id": ..., "comment": ...}]}}``), with its reason; ``make scan`` fails on a skip
    whose reason is not a real one."""
    found = []
    for stack in assembly.stacks:
        for logical_id, resource in stack.resources.items():
            metadata = stack.template["Resources"][logical_id].get("Metadata")
            own = metadata.get(SCANNER) if isinstance(metadata, dict) else None
            skips = own.get("skip") if isinstance(own, dict) else None
            for skip in skips if isinstance(skips, list) else []:
                entry = skip if isinstance(skip, dict) else {}
                reason = str(entry.get("comment") or "")
                found.append({"pack": SCANNER, "rule": str(entry.get("id") or ""), "path": resource.path,
                              "stack": stack.display_name, "logical_id": logical_id, "type": resource.type,
                              "reason": reason, "reason_ok": is_real_reason(reason)})
    return sorted(found, key=lambda s: (s["pack"], s["rule"], s["path"]))


def _packs(registered: list[str], validation_report: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every pack registered with the app; CDK's report lists only the ones with findings."""
    reports = {p.get("pluginName"): p for p in (validation_report or {}).get("pluginReports", [])}
    names = list(registered) + [name for name in reports if name not in registered]
    return [
        {
            "name": name,
            "registered": name in registered,
            "conclusion": reports[name].get("conclusion") if name in reports else "success",
            "unacknowledged": sum(len(v.get("violatingConstructs", []))
                                  for v in reports.get(name, {}).get("violations", [])),
        }
        for name in names
    ]


def _versions(*packages: str) -> dict[str, str]:
    found = {}
    for package in packages:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "unknown"
    return found


def _count(values: Iterable[str], vocabulary: tuple[str, ...]) -> dict[str, int]:
    """Every status of the vocabulary, in its order, zeros included."""
    counts = Counter(values)
    return {status: counts[status] for status in vocabulary}
