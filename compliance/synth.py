"""Synthesis through the pinned CDK CLI, exactly as platform engineers run it."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CDK_CLI = PROJECT_ROOT / "node_modules" / ".bin" / "cdk"


class SynthError(Exception):
    pass


@dataclass(frozen=True)
class SynthResult:
    returncode: int
    seconds: float
    log: str
    """What the CDK CLI printed (stdout and stderr)."""


def synthesize(
    outdir: Path,
    *,
    environment: str,
    config: str | None = None,
    app: str | None = None,
    cwd: Path = PROJECT_ROOT,
) -> SynthResult:
    """Run ``cdk synth`` into ``outdir``. A non-zero exit is returned, not raised: a gate failure
    still leaves a complete cloud assembly to report on."""
    if not CDK_CLI.exists():
        raise SynthError(f"{CDK_CLI.relative_to(PROJECT_ROOT)} not found: run `make setup` "
                         "(npm ci installs the pinned aws-cdk CLI from package-lock.json)")
    command = [str(CDK_CLI), "synth", "--quiet", "--no-notices", "--output", str(outdir),
               "--context", f"env={environment}"]
    if config:
        command += ["--context", f"config={config}"]
    if app:
        command += ["--app", app]
    env = dict(os.environ)
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    env.setdefault("CDK_DISABLE_CLI_TELEMETRY", "true")
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return SynthResult(
        returncode=completed.returncode,
        seconds=time.perf_counter() - started,
        log=(completed.stdout + completed.stderr),
    )
