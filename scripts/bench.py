#!/usr/bin/env python3
"""Synthesis and nag-pack cost figures (``make bench``). Prints figures; asserts nothing.

For the default app, and for the app scaled up (copies of it, each in its own stage) so that
per-resource costs stand out of the noise:
  - wall time of ``app.synth()`` with no pack and with all packs plus the report;
  - the cost of each pack alone: one ``validate_scope`` of the synthesized app, median of 11
    rounds in which the four packs take turns (after a warm-up call each), with no finding
    and with a finding in every stack;
  - each figure is the median of --repeat fresh processes (interpreter and jsii start-up
    are excluded from the in-process figures: they are the same for every variant);
  - peak memory (Python process plus its jsii Node.js processes) of the all-packs run;
  - ``make report`` (python -m compliance report) against a bare ``cdk synth`` through the
    same pinned CLI, in the same run.
Targets, printed as ratios: ISO27017 costs no more per resource than AwsSolutions, and
``make report`` takes at most 1.5x a bare synth.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKS = ("ISO27017", "AwsSolutions", "NIST.800.53.R5", "HIPAA.Security")
PACK_ROUNDS = 11
ENV = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", "CDK_DISABLE_CLI_TELEMETRY": "true"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per figure (default: %(default)s)")
    parser.add_argument("--scale", type=int, default=5, help="copies of the app in the scaled one (default: %(default)s)")
    parser.add_argument("--measure", choices=("packs", "findings", "all", "none"), help=argparse.SUPPRESS)
    parser.add_argument("--copies", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:
        return _measure(args.measure, args.copies)

    print(f"bench: median of {args.repeat} fresh process(es) per figure\n")
    for copies, label in ((1, "default app"), (args.scale, f"scaled app ({args.scale} copies of it, one stage each)")):
        packs = _median("packs", copies, args.repeat)
        findings = _median("findings", copies, args.repeat)
        full = _median("all", copies, args.repeat)
        resources = packs["resources"]
        print(f"{label}: {resources} resources")
        print(f"  {'step':<38}{'seconds':>9}{'ms/resource':>13}")
        print(f"  {'synth, no pack':<38}{packs['bare']:>9.3f}{1000 * packs['bare'] / resources:>13.2f}")
        for name in PACKS:
            cost = packs[name]
            print(f"  {'pack alone: ' + name:<38}{cost:>9.3f}{1000 * cost / resources:>13.2f}")
        for name in PACKS[:2]:
            cost = findings[name]
            label_ = f"{name}, a finding per stack"
            print(f"  {label_:<38}{cost:>9.3f}{1000 * cost / resources:>13.2f}")
        print(f"  {'synth with all packs':<38}{full['synth']:>9.3f}{1000 * full['synth'] / resources:>13.2f}")
        print(f"  {'report (result model + 4 renderers)':<38}{full['report']:>9.3f}"
              f"{1000 * full['report'] / resources:>13.2f}")
        print(f"  peak memory, all packs (Python + jsii Node.js): {full['peak_mib']:.0f} MiB")
        for case, figures in (("clean app", packs), ("a finding per stack", findings)):
            ratio = figures["ISO27017"] / figures["AwsSolutions"] if figures["AwsSolutions"] > 0 else float("inf")
            print(f"  ISO27017 / AwsSolutions cost per resource, {case}: {ratio:.2f} (target <= 1.00)")
        print()

    bare, report = _cli_figures(args.repeat)
    print("through the pinned CDK CLI (default app, whole commands incl. start-up):")
    print(f"  bare cdk synth (no pack):  {bare:6.2f} s")
    print(f"  make report (all packs):   {report:6.2f} s")
    print(f"  report / bare synth:       {report / bare:6.2f} (target <= 1.50)")
    return 0


def _median(measure: str, copies: int, repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        completed = subprocess.run(
            [sys.executable, __file__, "--measure", measure, "--copies", str(copies)],
            cwd=ROOT, env=ENV, capture_output=True, text=True, check=True,
        )
        runs.append(json.loads(completed.stdout.strip().splitlines()[-1]))
    return {key: (statistics.median(r[key] for r in runs) if isinstance(runs[0][key], float) else runs[0][key])
            for key in runs[0]}


def _measure(measure: str, copies: int) -> int:
    sys.path.insert(0, str(ROOT))
    import aws_cdk as cdk
    from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks

    from compliance.cli import write_outputs
    from compliance.results import build_report
    import app as project
    from config import load_environment
    from config.cdk_json import cdk_json_context
    from nag_rules import Iso27017Checks, register_packs

    outdir = os.environ.get("CDK_OUTDIR") or tempfile.mkdtemp(prefix="bench-")
    app = cdk.App(context=cdk_json_context(), outdir=outdir)
    settings = load_environment()
    scopes = [app] if copies == 1 else [cdk.Stage(app, f"Copy{index}") for index in range(copies)]
    for index, scope in enumerate(scopes):
        project.build_stacks(scope, settings.model_copy(update={"name_prefix": f"bench{index}"}))
        if measure == "findings":
            scope.node.find_child("Foundation").audit_logs.node.default_child.retention_in_days = 30
    makers = {
        "ISO27017": Iso27017Checks,
        "AwsSolutions": AwsSolutionsChecks,
        "NIST.800.53.R5": NIST80053R5Checks,
        "HIPAA.Security": HIPAASecurityChecks,
    }
    figures: dict = {}
    if measure == "all":
        for scope in scopes:  # CDK runs a stage's own plugins on its stacks
            register_packs(scope, *(makers[name](scope) for name in PACKS[1:]))
    started = time.perf_counter()
    app.synth()
    figures["synth" if measure == "all" else "bare"] = time.perf_counter() - started
    if measure in ("packs", "findings"):
        packs = {name: makers[name]() for name in PACKS}
        for pack in packs.values():
            pack.validate_scope(app)  # warm-up: first calls pay one-off costs on both sides of jsii
        timings: dict[str, list[float]] = {name: [] for name in PACKS}
        for _ in range(PACK_ROUNDS):  # interleaved, so background work after synth hits every pack alike
            for name, pack in packs.items():
                started = time.perf_counter()
                pack.validate_scope(app)
                timings[name].append(time.perf_counter() - started)
        figures.update({name: statistics.median(values) for name, values in timings.items()})
    if measure == "all":
        started = time.perf_counter()
        write_outputs(build_report(Path(outdir)), Path(outdir))
        figures["report"] = time.perf_counter() - started
    figures["resources"] = sum(
        len(json.loads(path.read_text())["Resources"]) for path in Path(outdir).rglob("*.template.json")
    )
    figures["peak_mib"] = _peak_mib()
    print(json.dumps(figures))
    return 0


def _descendants() -> list[int]:
    parents = {int(p.name): _parent(p) for p in Path("/proc").iterdir() if p.name.isdigit()}
    pids = [os.getpid()]
    for pid in pids:
        pids += [child for child, parent in parents.items() if parent == pid and child not in pids]
    return pids


def _peak_mib() -> float:
    """High-water RSS of this process and its descendants (the jsii Node.js kernel), in MiB."""
    total_kib = 0
    for pid in _descendants():
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total_kib += int(line.split()[1])
        except OSError:
            continue
    return total_kib / 1024


def _parent(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _cli_figures(repeat: int) -> tuple[float, float]:
    cdk_cli = ROOT / "node_modules" / ".bin" / "cdk"
    bare_app = f"{sys.executable} {__file__} --measure none"  # the default app with no pack
    bare, report = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            subprocess.run([str(cdk_cli), "synth", "--quiet", "--no-notices", "--app", bare_app, "--output",
                            f"{tmp}/bare"], cwd=ROOT, env=ENV, capture_output=True, check=True)
            bare.append(time.perf_counter() - started)
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "compliance", "report", "--out", f"{tmp}/report"],
                           cwd=ROOT, env=ENV, capture_output=True, check=True)
            report.append(time.perf_counter() - started)
    return statistics.median(bare), statistics.median(report)


if __name__ == "__main__":
    sys.exit(main())
