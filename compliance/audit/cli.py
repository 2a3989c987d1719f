"""``python -m compliance audit``: read a deployed account with boto3 and report against the clause catalogue."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound

from compliance.audit.checks import all_checks
from compliance.audit.framework import RETRIES, Account, CredentialsError
from compliance.audit.inherited import carried_over
from compliance.audit.report import REPORT_STEM, build_audit_report
from compliance.audit.runner import MAX_WORKERS, run_checks
from compliance.files import write_together
from compliance.render import RENDERERS, render_summary
from compliance.results import REPORT_STEM as CLAUSE_REPORT_STEM
from config import DEFAULT_ENVIRONMENT, load_environment

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_ENDPOINT = re.compile(r"^https?://[^\s/]+(/\S*)?$")


class AuditUsageError(Exception):
    """Bad arguments or credentials: exit 2 with this one line."""


def add_parser(commands: Any) -> None:
    audit = commands.add_parser(
        "audit", help="read a deployed account with boto3 and write the audit report",
        description=f"Run every live check against one account and region and write {REPORT_STEM}.{{json,md,html,"
                    "csv}} into --out, with the clause report's promises beside the account's answers when "
                    f"{CLAUSE_REPORT_STEM}.json is there. Exit 0: every check passed; 1: a check failed or could "
                    "not be verified; 2: usage or credential error.")
    audit.add_argument("--env", default=DEFAULT_ENVIRONMENT,
                       help="environment whose settings the checks expect (default: %(default)s)")
    audit.add_argument("--config", help="environments file (default: config/environments.toml)")
    audit.add_argument("--profile", help="AWS profile (default: the standard credential chain)")
    audit.add_argument("--region", help="region to audit (default: the environment's region)")
    audit.add_argument("--endpoint-url", help="send every call to this endpoint (e.g. a moto server)")
    audit.add_argument("--out", default="cdk.out", help="directory for the audit report (default: %(default)s)")
    audit.add_argument("--checks", help="comma-separated check ids to run (default: all)")
    audit.add_argument("--workers", type=int, default=MAX_WORKERS,
                       help="checks run at once, 1-32 (default: %(default)s)")
    audit.add_argument("--no-progress", action="store_true", help="no progress lines on stderr")
    audit.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = load_environment(args.env, args.config)
    region = args.region or settings.region
    if not _REGION.match(region):
        raise AuditUsageError(f"--region {region!r}: not a region name; allowed: e.g. ap-northeast-1")
    if args.endpoint_url is not None and not _ENDPOINT.match(args.endpoint_url):
        raise AuditUsageError(f"--endpoint-url {args.endpoint_url!r}: allowed: an http(s) URL such as "
                              "http://127.0.0.1:5000")
    if not 1 <= args.workers <= 32:
        raise AuditUsageError(f"--workers {args.workers}: allowed: 1 to 32")
    checks = _selected(args.checks)
    known = {check.id for check in all_checks()}
    for index, acknowledgement in enumerate(settings.audit_acknowledgements):
        if acknowledgement.check not in known:
            raise AuditUsageError(f"{args.env}.audit_acknowledgements[{index}].check = {acknowledgement.check!r}: "
                                  f"not an audit check; allowed: {', '.join(sorted(known))}")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise AuditUsageError(f"--out {out}: exists and is not a directory")
    try:
        session = boto3.session.Session(profile_name=args.profile, region_name=region)
    except ProfileNotFound as error:
        raise AuditUsageError(f"--profile {args.profile!r}: {error}") from None
    account_id = _caller_account(session, region, args.endpoint_url)
    account = Account(session=session, region=region, settings=settings, endpoint_url=args.endpoint_url,
                      account_id=account_id)
    progress = None if args.no_progress else sys.stderr
    print(f"Auditing account {account_id} in {region} with {len(checks)} checks ...", file=sys.stderr, flush=True)
    clause_report = _clause_report(out)
    try:
        runs = run_checks(account, checks, workers=args.workers, progress=progress)
        inherited, inherited_note = carried_over(account, runs, clause_report)
    except CredentialsError as error:
        raise AuditUsageError(f"credentials: {error}") from None
    document = build_audit_report(runs, account_id=account_id, region=region, environment=args.env,
                                  endpoint_url=args.endpoint_url, clause_report=clause_report,
                                  acknowledgements=tuple(settings.audit_acknowledgements), inherited=inherited,
                                  inherited_note=inherited_note)
    out.mkdir(parents=True, exist_ok=True)
    written = write_audit_outputs(document, out)
    sys.stdout.write(render_summary(json.loads(written[0].read_text(encoding="utf-8"))))
    print(f"\n  audit report: {out / REPORT_STEM}.{{json,{','.join(s.lstrip('.') for s in RENDERERS)}}}"
          + ("" if clause_report else f" (no {CLAUSE_REPORT_STEM}.json in {out}: run `make report` first for "
                                     "the combined view)"))
    return 0 if document["gate"]["passed"] else 1


def _selected(names: str | None) -> tuple[Any, ...]:
    checks = all_checks()
    if names is None:
        return checks
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    known = {check.id: check for check in checks}
    unknown = [n for n in wanted if n not in known]
    if unknown or not wanted:
        raise AuditUsageError(f"--checks {names!r}: unknown {', '.join(unknown) or '(none given)'}; allowed: "
                              + ", ".join(sorted(known)))
    return tuple(known[n] for n in dict.fromkeys(wanted))


def _caller_account(session: boto3.session.Session, region: str, endpoint_url: str | None) -> str:
    try:
        sts = session.client("sts", region_name=region, endpoint_url=endpoint_url, config=RETRIES)
        return sts.get_caller_identity()["Account"]
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        raise AuditUsageError(f"credentials: sts:GetCallerIdentity refused them ({code}); sign in again or "
                              "choose another --profile") from None
    except BotoCoreError as error:
        raise AuditUsageError(f"credentials or endpoint: {error}") from None


def _clause_report(out: Path) -> dict[str, Any] | None:
    file = out / f"{CLAUSE_REPORT_STEM}.json"
    if not file.is_file():
        return None
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise AuditUsageError(f"{file}: unreadable ({error}); run `make report` again or remove it") from None
    return document if document.get("kind") == "synth" else None


def write_audit_outputs(document: dict[str, Any], directory: Path) -> list[Path]:
    """The JSON first, then every format rendered from the JSON as written, all put in place together."""
    text = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    parsed = json.loads(text)
    contents = {f"{REPORT_STEM}.json": (text, "utf-8")}
    for suffix, render in RENDERERS.items():
        contents[f"{REPORT_STEM}{suffix}"] = (render(parsed), "utf-8-sig" if suffix == ".csv" else "utf-8")
    return write_together(directory, contents)
