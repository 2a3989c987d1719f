#!/usr/bin/env python3
"""External scanners (``make scan``): cfn-lint and checkov's CloudFormation framework on a synthesized assembly.

Scans every template of the assembly (nested stacks and stages included; cfn-lint per stack region), writes
``<assembly>/scan-report.json`` and prints a summary. The scanners run from their own virtual environment
(``.venv-scan``, see requirements-scan.txt), never the app's.

Fails on any cfn-lint error; cfn-lint warnings and informational findings are listed, not failing. Fails on any
failed checkov check, and on any checkov skip that is not in the resource's template metadata
(``{"checkov": {"skip": [{"id": ..., "comment": ...}]}}``, see ``constructs_lib.skip_checkov``) with a real
reason. Exit codes: 0 passed, 1 failed (the report is written), 2 the scanners could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compliance.results import SCANNER, scanner_skips  # noqa: E402
from nag_rules.assembly import AssemblyError, CloudAssembly, Stack  # noqa: E402

REPORT_FILE = "scan-report.json"
TOOLS = ROOT / ".venv-scan" / "bin"
CFN_LINT_LEVELS = {"Error": "errors", "Warning": "warnings", "Informational": "informational"}
CHECKOV_ENV = {"CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "BC_SKIP_MAPPING": "TRUE"}
"""No look-up of a newer checkov, no download of the platform's check mapping: the scan works offline."""


class ScanError(Exception):
    """A scanner could not run or gave no readable result."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assembly", default="cdk.out", help="synthesized cloud assembly (default: %(default)s)")
    parser.add_argument("--tools", default=str(TOOLS), help="directory of the cfn-lint and checkov executables "
                                                            "(default: .venv-scan/bin)")
    parser.add_argument("--out", help=f"report file (default: <assembly>/{REPORT_FILE})")
    args = parser.parse_args(argv)
    directory = Path(args.assembly)
    try:
        report = scan(directory, Path(args.tools))
    except (ScanError, AssemblyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else directory / REPORT_FILE
    temporary = out.with_name(f".{out.name}.tmp")
    temporary.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, out)
    sys.stdout.write(summary(report, out))
    return 0 if report["gate"]["passed"] else 1


def scan(directory: Path, tools: Path) -> dict[str, Any]:
    assembly = CloudAssembly.load(directory)
    stacks = {stack.template_file.resolve(): stack for stack in assembly.stacks}
    if not stacks:
        raise ScanError(f"{directory}: no stack templates to scan")
    for tool in ("cfn-lint", "checkov"):
        if not (tools / tool).is_file():
            raise ScanError(f"{tools / tool}: not found; `make scan` installs the scanners into .venv-scan")
    cfn_lint = _cfn_lint(tools, stacks, directory)
    checkov = _checkov(tools, stacks, directory, scanner_skips(assembly))
    blocking = [
        {"scanner": "cfn-lint", "rule": f["rule"], "template": f["template"], "path": f["path"],
         "message": f["message"]} for f in cfn_lint["errors"]
    ] + [
        {"scanner": SCANNER, "rule": f["check_id"], "template": f["template"], "path": f["path"],
         "message": f["check_name"]} for f in checkov["failed"]
    ] + checkov.pop("problems")
    return {
        "schema_version": 1,
        "kind": "scan",
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "assembly": str(directory),
        "templates": [{"template": _relative(file, directory), "stack": stack.display_name,
                       "region": stack.region} for file, stack in stacks.items()],
        "scanners": {"cfn-lint": cfn_lint, SCANNER: checkov},
        "gate": {"passed": not blocking, "blocking": blocking},
    }


def _cfn_lint(tools: Path, stacks: dict[Path, Stack], directory: Path) -> dict[str, Any]:
    """cfn-lint, once per region (stacks of no fixed region: cfn-lint's default), informational rules included."""
    by_region: dict[str | None, list[Path]] = {}
    for file, stack in stacks.items():
        by_region.setdefault(stack.region, []).append(file)
    findings: dict[str, list[dict[str, Any]]] = {level: [] for level in CFN_LINT_LEVELS.values()}
    started = time.monotonic()
    for region, files in by_region.items():
        command = [str(tools / "cfn-lint"), "--format", "json", "--include-checks", "I"]
        command += ["--regions", region] if region else []
        result = _run([*command, "--", *map(str, files)], allowed=lambda code: code & ~(2 | 4 | 8) == 0)
        for item in _json(result, "cfn-lint"):
            file = Path(item.get("Filename") or "").resolve()
            where = item.get("Location", {}).get("Path") or []
            logical_id = where[1] if len(where) > 1 and where[0] == "Resources" else None
            findings[CFN_LINT_LEVELS.get(item.get("Level"), "errors")].append({
                "rule": item.get("Rule", {}).get("Id", ""),
                "template": _relative(file, directory),
                "path": _construct_path(stacks.get(file), logical_id),
                "location": "/".join(map(str, where)),
                "line": item.get("Location", {}).get("Start", {}).get("LineNumber"),
                "message": item.get("Message", ""),
            })
    return {"version": _version(tools / "cfn-lint"), "seconds": round(time.monotonic() - started, 1),
            "regions": sorted(r or "default" for r in by_region),
            "templates": [_relative(file, directory) for file in stacks], **findings}


def _checkov(tools: Path, stacks: dict[Path, Stack], directory: Path,
             skips: list[dict[str, Any]]) -> dict[str, Any]:
    started = time.monotonic()
    command = [str(tools / SCANNER), "--framework", "cloudformation", "--output", "json", "--skip-download"]
    for file in stacks:
        command += ["--file", str(file)]
    result = _run(command, allowed=lambda code: code in (0, 1), env=CHECKOV_ENV)
    document = _json(result, SCANNER)
    reports = document if isinstance(document, list) else [document]
    summary = {"passed": 0, "failed": 0, "skipped": 0, "resource_count": 0, "parsing_errors": 0}
    checks: dict[str, list[dict[str, Any]]] = {"failed_checks": [], "skipped_checks": []}
    problems = []
    for report in reports:
        if report.get("check_type", "cloudformation") != "cloudformation":
            continue
        for key in summary:
            summary[key] += int(report.get("summary", {}).get(key, 0) or 0)
        for key in checks:
            checks[key] += report.get("results", {}).get(key, [])
        problems += [{"scanner": SCANNER, "rule": "parsing-error", "template": _relative(Path(f), directory),
                      "path": "", "message": "checkov could not parse this template: nothing in it was checked"}
                     for f in report.get("results", {}).get("parsing_errors", [])]

    by_place = {(s["stack"], s["logical_id"], s["rule"]): s for s in skips}
    used = set()

    def entry(check: dict[str, Any]) -> dict[str, Any]:
        file = Path(check.get("file_abs_path") or "").resolve()
        stack = stacks.get(file)
        logical_id = str(check.get("resource", "")).rpartition(".")[2]
        return {"check_id": check.get("check_id", ""), "check_name": check.get("check_name", ""),
                "template": _relative(file, directory), "stack": stack.display_name if stack else None,
                "logical_id": logical_id, "path": _construct_path(stack, logical_id),
                "type": str(check.get("resource", "")).rpartition(".")[0]}

    failed = [entry(check) for check in checks["failed_checks"]]
    skipped = []
    for check in checks["skipped_checks"]:
        item = entry(check)
        declared = by_place.get((item["stack"], item["logical_id"], item["check_id"]))
        item["reason"] = declared["reason"] if declared else str(check.get("suppress_comment") or "")
        skipped.append(item)
        if declared is None:
            problems.append({"scanner": SCANNER, "rule": item["check_id"], "template": item["template"],
                             "path": item["path"], "message": "skipped other than in the resource's template "
                             "metadata (an inline checkov:skip= text?): skip it with skip_checkov and a real reason"})
            continue
        used.add(id(declared))
        if not declared["reason_ok"]:
            problems.append({"scanner": SCANNER, "rule": item["check_id"], "template": item["template"],
                             "path": item["path"], "message": f"skipped without a real reason ({item['reason']!r}): "
                             "give at least one full sentence saying why the check does not apply"})
    if not summary["resource_count"] and not problems:
        problems.append({"scanner": SCANNER, "rule": "no-resources", "template": "", "path": "",
                         "message": "checkov found no CloudFormation resource in the templates"})
    return {
        "version": _version(tools / SCANNER),
        "framework": "cloudformation",
        "seconds": round(time.monotonic() - started, 1),
        "templates": [_relative(file, directory) for file in stacks],
        "resources": summary["resource_count"],
        "passed": summary["passed"],
        "failed": failed,
        "skipped": skipped,
        "unused_skips": [{key: s[key] for key in ("rule", "path", "stack", "logical_id", "reason")}
                         for s in skips if id(s) not in used],
        "problems": problems,
    }


def _run(command: list[str], *, allowed: Any, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})},
                                cwd=ROOT, check=False)
    except OSError as error:
        raise ScanError(f"{command[0]}: {error}") from None
    if not allowed(result.returncode):
        raise ScanError(f"{Path(command[0]).name} exited {result.returncode}: {_tail(result.stderr or result.stdout)}")
    return result


def _json(result: subprocess.CompletedProcess, tool: str) -> Any:
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        raise ScanError(f"{tool} gave no JSON (exit {result.returncode}): {_tail(result.stderr or result.stdout)}") \
            from None


def _version(executable: Path) -> str:
    output = _run([str(executable), "--version"], allowed=lambda code: code == 0).stdout.strip()
    return output.split()[-1] if output else "unknown"


def _construct_path(stack: Stack | None, logical_id: str | None) -> str:
    if stack is None or logical_id is None:
        return ""
    resource = stack.resources.get(logical_id)
    return resource.path if resource else f"{stack.display_name}/{logical_id}"


def _relative(file: Path, directory: Path) -> str:
    try:
        return str(file.relative_to(directory.resolve()))
    except ValueError:
        return str(file)


def _tail(text: str, lines: int = 10) -> str:
    return "\n".join(text.strip().splitlines()[-lines:]) or "no output"


def summary(report: dict[str, Any], out: Path) -> str:
    lint = report["scanners"]["cfn-lint"]
    checkov = report["scanners"][SCANNER]
    lines = [
        f"External scanners on {len(report['templates'])} template(s) of {report['assembly']}",
        "",
        f"  cfn-lint {lint['version']} ({', '.join(lint['regions'])}; {lint['seconds']} s): "
        f"{len(lint['errors'])} error(s), {len(lint['warnings'])} warning(s) (listed, not failing), "
        f"{len(lint['informational'])} informational",
    ]
    for level in CFN_LINT_LEVELS.values():
        lines += [f"    {level[:-1] if level.endswith('s') else level} {f['rule']} {f['path'] or f['template']}: "
                  f"{f['message']}" for f in lint[level]]
    lines.append(f"  checkov {checkov['version']} ({checkov['framework']}; {checkov['seconds']} s): "
                 f"{checkov['resources']} resources, {checkov['passed']} passed, {len(checkov['failed'])} failed, "
                 f"{len(checkov['skipped'])} skipped (reasons in the report below)")
    lines += [f"    failed {f['check_id']} {f['path'] or f['template']}: {f['check_name']}" for f in checkov["failed"]]
    lines += [f"    skipped {s['check_id']} {s['path']}" for s in checkov["skipped"]]
    lines += [f"    unused skip {s['rule']} {s['path']}: no such check ran on this resource"
              for s in checkov["unused_skips"]]
    gate = report["gate"]
    lines.append("")
    if gate["passed"]:
        lines.append("  scan: PASSED (no cfn-lint error, no failed checkov check, every skip with its reason)")
    else:
        lines.append(f"  scan: FAILED ({len(gate['blocking'])} finding(s))")
        lines += [f"    {b['scanner']} {b['rule']} {b['path'] or b['template']}: {b['message']}"
                  for b in gate["blocking"]]
    lines += ["", f"  report: {out}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
