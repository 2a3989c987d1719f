"""Run the audit checks against one account and region, concurrently, with progress."""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Callable, TextIO

from compliance.audit.framework import Account, AuditCheck, CredentialsError, Finding, Unverifiable, unverified

MAX_WORKERS = 8


@dataclass(frozen=True)
class CheckRun:
    check: AuditCheck
    findings: tuple[Finding, ...]
    seconds: float


def run_checks(account: Account, checks: tuple[AuditCheck, ...], *, workers: int = MAX_WORKERS,
               progress: TextIO | None = None) -> list[CheckRun]:
    """Every check's findings, in the order of ``checks``. A check that raises gives one ``unverified``
    finding with the reason; missing, expired or refused credentials stop the audit (CredentialsError)."""
    show = _progress(progress, len(checks))
    runs: dict[str, CheckRun] = {}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(checks) or 1))) as pool:
        futures = {pool.submit(_run_one, account, check): check for check in checks}
        try:
            for future in as_completed(futures):
                run = future.result()
                runs[run.check.id] = run
                show(run)
        except CredentialsError:
            for future in futures:
                future.cancel()
            raise
    if progress is not None and progress.isatty():
        progress.write("\n")
    return [runs[check.id] for check in checks]


def _run_one(account: Account, check: AuditCheck) -> CheckRun:
    start = time.monotonic()
    try:
        findings = tuple(check.run(account))
    except CredentialsError:
        raise
    except Unverifiable as error:
        findings = (unverified(f"{account.account_id or 'account'}/{account.region}", "AWS::Account", account.region,
                               f"the check could not run: {error}"),)
    except Exception as error:  # a bug or an unexpected answer must never read as a pass
        findings = (unverified(f"{account.account_id or 'account'}/{account.region}", "AWS::Account", account.region,
                               f"the check failed unexpectedly: {type(error).__name__}: {error}"),)
    return CheckRun(check, findings, time.monotonic() - start)


def _progress(stream: TextIO | None, total: int) -> Callable[[CheckRun], None]:
    done = 0

    def show(run: CheckRun) -> None:
        nonlocal done
        done += 1
        if stream is None:
            return
        counts = {r: sum(1 for f in run.findings if f.result.value == r) for r in ("pass", "fail", "unverified")}
        line = (f"[{done}/{total}] {run.check.id}: {counts['pass']} pass, {counts['fail']} fail, "
                f"{counts['unverified']} unverified ({run.seconds:.1f} s)")
        if stream.isatty():
            stream.write(f"\r\033[K{line}")
        else:
            stream.write(line + "\n")
        stream.flush()

    return show


def default_progress() -> TextIO | None:
    return sys.stderr
