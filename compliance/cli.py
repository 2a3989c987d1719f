"""Command line: ``python -m compliance report|manifest|audit|docs``.

Exit codes: 0 success (gate passed), 1 the gate failed (the report is written), 2 usage,
configuration or synthesis error (nothing is written). The audit: 0 every check passed, 1 a check failed or
could not be verified, 2 usage or credential error.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from compliance.audit.cli import AuditUsageError
from compliance.audit.cli import add_parser as add_audit_parser
from compliance.conformance import ConformanceError
from compliance.files import write_together
from compliance.render import RENDERERS, render_asset_register, render_junit, render_sarif, render_summary
from compliance.results import REPORT_STEM, ReportError, build_report
from compliance.sources import source_locations
from compliance.synth import PROJECT_ROOT, SynthError, synthesize
from config import DEFAULT_ENVIRONMENT, ConfigurationError, load_environment
from nag_rules.assembly import AssemblyError
from nag_rules.engine import EVALUATIONS_FILE


SARIF_FILE = "iso27017.sarif"
JUNIT_FILE = "iso27017-junit.xml"
ASSET_REGISTER_FILE = "asset-register.csv"
CONFORMANCE_PACK_FILE = "conformance-pack.json"


class UsageError(Exception):
    pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (UsageError, ConfigurationError, ConformanceError, SynthError, ReportError, AssemblyError,
            AuditUsageError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted; nothing written", file=sys.stderr)
        return 2
    except Exception as error:  # exit 1 means "the gate failed": never let a crash look like that
        if os.environ.get("COMPLIANCE_DEBUG"):
            raise
        print(f"error: unexpected {type(error).__name__}: {error} (set COMPLIANCE_DEBUG=1 for the traceback)",
              file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m compliance", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    report = commands.add_parser(
        "report", help="synthesize the app, run the nag packs and write the clause report and asset register",
        description="Synthesize with the pinned CDK CLI, then write clause-report.{json,md,html,csv}, "
                    f"{SARIF_FILE}, {JUNIT_FILE}, {ASSET_REGISTER_FILE} (every stateful resource with its data "
                    f"class, key, backup and retention) and {CONFORMANCE_PACK_FILE} (the AWS Config rules that "
                    "watch the clauses at runtime) into the cloud assembly directory. "
                    "Exits 1 when any finding is unacknowledged.",
    )
    report.add_argument("--env", default=DEFAULT_ENVIRONMENT,
                        help="environment of the configuration to synthesize (default: %(default)s)")
    report.add_argument("--config", help="environments file (default: config/environments.toml)")
    report.add_argument("--app", help="CDK app command, as for `cdk --app` (default: cdk.json's app)")
    report.add_argument("--out", default="cdk.out", help="cloud assembly directory to replace (default: %(default)s)")
    report.add_argument("--assembly", help="report on this already synthesized cloud assembly instead of synthesizing")
    report.set_defaults(handler=_report)

    manifest = commands.add_parser(
        "manifest", help="record the stateful resources of an assembly in compliance/stateful-resources.json",
        description="Write the data-loss guard's manifest from a synthesized assembly (a deliberate, reviewed act).")
    manifest.add_argument("--assembly", default="cdk.out", help="synthesized cloud assembly (default: %(default)s)")
    manifest.set_defaults(handler=_manifest)

    add_audit_parser(commands)

    docs = commands.add_parser("docs", help="generate docs/rules.md from the rule registry and the catalogue")
    docs.add_argument("--check", action="store_true", help="exit 1 if the committed file is stale")
    docs.set_defaults(handler=_docs)
    return parser


def _manifest(args: argparse.Namespace) -> int:
    from compliance.stateful import MANIFEST_FILE, compare, load_manifest, manifest_text, stateful_resources
    from nag_rules.assembly import CloudAssembly

    current = stateful_resources(CloudAssembly.load(args.assembly))
    changes = compare(load_manifest(), current) if MANIFEST_FILE.is_file() else []
    temporary = MANIFEST_FILE.with_suffix(".json.tmp")
    temporary.write_text(manifest_text(current), encoding="utf-8")
    os.replace(temporary, MANIFEST_FILE)
    for change in changes:
        print(f"recorded: {change}")
    print(f"wrote {MANIFEST_FILE} ({len(current)} stateful resources)")
    return 0


def _report(args: argparse.Namespace) -> int:
    if args.assembly:
        directory = Path(args.assembly)
        write_outputs(build_report(directory), directory)
        return _finish(directory)
    if args.app is None:
        load_environment(args.env, args.config)
    out = Path(args.out)
    _check_replaceable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    staging.chmod(0o755)
    try:
        print(f"Synthesizing environment {args.env!r} with the pinned CDK CLI ...", file=sys.stderr, flush=True)
        result = synthesize(staging, environment=args.env, config=args.config, app=args.app)
        (staging / "synth.log").write_text(result.log, encoding="utf-8")
        print(f"Synthesized in {result.seconds:.1f} s (cdk exit code {result.returncode}).", file=sys.stderr)
        if not (staging / "manifest.json").is_file() or not (staging / EVALUATIONS_FILE).is_file():
            sys.stderr.write(_tail(result.log))
            raise UsageError(f"synthesis failed (cdk exit code {result.returncode}) before the packs ran; "
                             "no report written")
        report = build_report(staging, assembly_label=str(out), config_file=args.config)
        if result.returncode != 0 and report["gate"]["passed"]:
            sys.stderr.write(_tail(result.log))
            report["gate"]["passed"] = False
            report["gate"]["blocking"].append({
                "pack": "CDK", "rule": "cdk synth", "clauses": [], "path": "", "status": "violated",
                "message": f"cdk synth exited {result.returncode} although no pack reported a finding; "
                           "see synth.log",
            })
        write_outputs(report, staging)
        _replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return _finish(out)


def write_outputs(
    report: dict[str, Any], directory: Path, *, sources: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Path]:
    """Write the JSON, render every other format from the JSON as written, then put them all in
    place together: a failure leaves the previous set untouched. ``sources`` places SARIF results
    on the Python line that created each construct; by default they are looked up in this project."""
    text = json.dumps(report, indent=1, ensure_ascii=False) + "\n"
    document = json.loads(text)
    contents = {f"{REPORT_STEM}.json": (text, "utf-8")}
    for suffix, render in RENDERERS.items():
        contents[f"{REPORT_STEM}{suffix}"] = (render(document), "utf-8-sig" if suffix == ".csv" else "utf-8")
    if sources is None:
        sources = source_locations(PROJECT_ROOT, _construct_paths(document))
    contents[SARIF_FILE] = (render_sarif(document, sources), "utf-8")
    contents[JUNIT_FILE] = (render_junit(document), "utf-8")
    contents[ASSET_REGISTER_FILE] = (render_asset_register(document), "utf-8-sig")
    if "conformance_pack" in document:
        contents[CONFORMANCE_PACK_FILE] = (json.dumps(document["conformance_pack"], indent=1) + "\n", "utf-8")
    return write_together(directory, contents)


def _construct_paths(document: dict[str, Any]) -> Iterable[str]:
    yield from (resource["path"] for resource in document["resources"])
    for entries in (document["findings"], document["acknowledgements"], document["gate"]["blocking"]):
        yield from (entry["path"] for entry in entries if entry["path"])


def _finish(directory: Path) -> int:
    document = json.loads((directory / f"{REPORT_STEM}.json").read_text(encoding="utf-8"))
    sys.stdout.write(render_summary(document))
    names = ",".join(["json"] + [suffix.lstrip(".") for suffix in RENDERERS])
    print(f"\n  report: {directory / REPORT_STEM}.{{{names}}}, {directory / SARIF_FILE}, {directory / JUNIT_FILE}, "
          f"{directory / ASSET_REGISTER_FILE}, {directory / CONFORMANCE_PACK_FILE}")
    return 0 if document["gate"]["passed"] else 1


def _check_replaceable(out: Path) -> None:
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "manifest.json").exists())):
        raise UsageError(f"--out {out}: exists and is not a cloud assembly directory; choose another directory")


def _replace(staging: Path, out: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    previous = out.with_name(f".{out.name}-previous-{os.getpid()}")
    out.rename(previous)
    try:
        staging.rename(out)
    except OSError:
        previous.rename(out)
        raise
    shutil.rmtree(previous, ignore_errors=True)


def _tail(log: str, lines: int = 40) -> str:
    text = "\n".join(log.rstrip().splitlines()[-lines:])
    return text + "\n" if text else ""


def _docs(args: argparse.Namespace) -> int:
    from compliance.docs import RULES_DOC, render_rules_doc

    text = render_rules_doc()
    if args.check:
        if not RULES_DOC.is_file() or RULES_DOC.read_text(encoding="utf-8") != text:
            print(f"{RULES_DOC}: stale; run `make docs` and commit the result", file=sys.stderr)
            return 1
        return 0
    RULES_DOC.parent.mkdir(parents=True, exist_ok=True)
    RULES_DOC.write_text(text, encoding="utf-8")
    print(f"wrote {RULES_DOC}")
    return 0
