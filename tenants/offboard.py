"""Offboard a tenant (CLD.8.1.5): tag every version of its objects in the customer-data buckets
``TenantStatus = offboarded``, so that the buckets' lifecycle rule deletes them.

Exit codes: 0 every object version is tagged; 1 some versions could not be tagged (listed; the rest are
tagged); 2 one line on stderr: usage, configuration, credentials, access denied, unknown stack, bucket or
tenant (nothing tagged, except after access is denied midway: those tags stay, and a run again resumes).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Callable, Iterator, NoReturn, Sequence, TextIO

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
)

from config import DEFAULT_ENVIRONMENT, ConfigurationError, load_environment
from nag_rules.rules.offboarded_tenant_data_expires import OFFBOARDED, TENANT_STATUS_TAG

TENANT_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")
TENANT_ID_ALLOWED = f"{TENANT_ID.pattern} (lowercase letters, digits and hyphens, 2-63 characters)"
DATA_STACK = "{prefix}-data"
"""The Data stack's name (stacks/data.py through EnvironmentStack)."""
BUCKET_OUTPUTS = ("TeachingMaterialsBucketName", "LearningRecordsBucketName")
"""The Data stack's outputs naming the customer-data buckets."""
MAX_TAGS = 10
"""S3 allows 10 tags per object (version)."""
MAX_PAGE_SIZE = 1000
WORKERS = 8
"""Object versions tagged at once (each takes a GetObjectTagging and a PutObjectTagging request)."""
LIVE_EVERY = 0.2
"""Seconds between updates of the progress line on a terminal."""
CREDENTIAL_ERRORS = frozenset({
    "ExpiredToken", "ExpiredTokenException", "InvalidAccessKeyId", "InvalidClientTokenId", "InvalidToken",
    "SignatureDoesNotMatch", "UnrecognizedClientException",
})
DENIED = frozenset({"AccessDenied", "AccessDeniedException", "403"})
PERMISSIONS = {
    "HeadBucket": "s3:ListBucket", "ListObjectVersions": "s3:ListBucketVersions",
    "GetObjectTagging": "s3:GetObjectVersionTagging", "PutObjectTagging": "s3:PutObjectVersionTagging",
    "DescribeStacks": "cloudformation:DescribeStacks",
}
"""The IAM action each call needs (tagging is always by version ID)."""
GONE = frozenset({"NoSuchKey", "NoSuchVersion"})

TAG = "tag"
ALREADY = "already-tagged"
DELETED = "gone"
SKIP = "skip"


class OffboardError(Exception):
    """A usage, configuration, credentials, access, stack, bucket or tenant error: exit 2, one line."""


@dataclass
class BucketCounts:
    versions: int = 0
    tagged: int = 0
    already_tagged: int = 0
    gone: int = 0
    skipped: int = 0
    delete_markers: int = 0

    def add(self, action: str) -> None:
        self.versions += 1
        if action == TAG:
            self.tagged += 1
        elif action == ALREADY:
            self.already_tagged += 1
        elif action == DELETED:
            self.gone += 1
        else:
            self.skipped += 1


@dataclass(frozen=True)
class Problem:
    bucket: str
    key: str
    version_id: str
    reason: str

    def line(self) -> str:
        return f"s3://{self.bucket}/{self.key} (version {self.version_id}): {self.reason}"


@dataclass
class Summary:
    tenant: str
    dry_run: bool
    buckets: dict[str, BucketCounts]
    problems: list[Problem] = field(default_factory=list)

    def total(self) -> BucketCounts:
        total = BucketCounts()
        for counts in self.buckets.values():
            for item in fields(BucketCounts):
                setattr(total, item.name, getattr(total, item.name) + getattr(counts, item.name))
        return total

    def document(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "prefix": prefix_of(self.tenant),
            "dry_run": self.dry_run,
            "tag": {"Key": TENANT_STATUS_TAG, "Value": OFFBOARDED},
            "buckets": {name: asdict(counts) for name, counts in self.buckets.items()},
            "totals": asdict(self.total()),
            "problems": [asdict(problem) for problem in self.problems],
        }


class Progress:
    """Counts on stderr: on a terminal (``live``) one line rewritten at most every LIVE_EVERY seconds, otherwise
    a line every ``every`` object versions; both end each bucket with a ``done`` line."""

    def __init__(self, stream: TextIO | None, tenant: str, dry_run: bool, every: int, *, live: bool = False,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.tenant = tenant
        self.tagged = "would tag" if dry_run else "tagged"
        self.every = every
        self.live = live
        self.clock = clock
        self.shown = -LIVE_EVERY
        self.open = False

    def step(self, bucket: str, counts: BucketCounts) -> None:
        if self.stream is None:
            return
        if self.live:
            if self.clock() - self.shown >= LIVE_EVERY:
                self.shown = self.clock()
                self._write(f"\r{self._line(bucket, counts)}")
        elif counts.versions % self.every == 0:
            self._write(f"{self._line(bucket, counts)}\n")

    def done(self, bucket: str, counts: BucketCounts) -> None:
        if self.stream is not None:
            self._write(f"{chr(13) if self.live else ''}{self._line(bucket, counts)}: done\n")
            self.open = False

    def close(self) -> None:
        """End a live line cut short, so that an error starts on a line of its own."""
        if self.stream is not None and self.open:
            self._write("\n")
            self.open = False

    def _line(self, bucket: str, counts: BucketCounts) -> str:
        return (f"offboard {self.tenant}: s3://{bucket}: {counts.versions} object versions, {counts.tagged} "
                f"{self.tagged}, {counts.already_tagged} already tagged, {counts.skipped} skipped")

    def _write(self, text: str) -> None:
        if self.stream is not None:
            self.stream.write(text)
            self.stream.flush()
            self.open = self.live


def prefix_of(tenant: str) -> str:
    return f"{tenant}/"


def check_tenant(tenant: str) -> str:
    if not TENANT_ID.fullmatch(tenant):
        raise OffboardError(f"TENANT {tenant!r}: not a tenant ID; allowed: {TENANT_ID_ALLOWED}")
    return tenant


def clients(*, region: str, profile: str | None = None, endpoint_url: str | None = None) -> tuple[Any, Any]:
    """S3 and CloudFormation clients with botocore's standard retry mode."""
    try:
        session = boto3.Session(profile_name=profile, region_name=region)
    except ProfileNotFound:
        raise OffboardError(f"--profile {profile}: no such AWS profile") from None
    config = Config(retries={"mode": "standard", "max_attempts": 10}, max_pool_connections=max(10, WORKERS),
                    s3={"addressing_style": "path"} if endpoint_url else None)
    return (session.client("s3", endpoint_url=endpoint_url, config=config),
            session.client("cloudformation", endpoint_url=endpoint_url, config=config))


def denied(error: ClientError, target: str) -> OffboardError | None:
    """A one-line error naming the IAM action that ``error`` lacked, if it is an access denial."""
    if _code(error) not in DENIED:
        return None
    action = PERMISSIONS.get(error.operation_name, error.operation_name)
    return OffboardError(f"access denied: {action} on {target}; grant it to these credentials (an offboarding "
                         "needs s3:ListBucket, s3:ListBucketVersions, s3:GetObjectVersionTagging and "
                         "s3:PutObjectVersionTagging)")


def discover_buckets(cloudformation: Any, stack_name: str) -> list[str]:
    """The customer-data buckets named by the Data stack's outputs."""
    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as error:
        if _code(error) == "ValidationError" and "does not exist" in str(error):
            raise OffboardError(
                f"stack {stack_name} not found in {cloudformation.meta.region_name}: deploy the Data stack, "
                "or name the customer-data buckets with --bucket") from None
        raise denied(error, f"stack {stack_name}") or error from None
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stacks[0].get("Outputs", [])}
    missing = [name for name in BUCKET_OUTPUTS if name not in outputs]
    if missing:
        raise OffboardError(
            f"stack {stack_name} has no output {', '.join(missing)}: deploy the Data stack with its bucket outputs, "
            "or name the customer-data buckets with --bucket")
    return [outputs[name] for name in BUCKET_OUTPUTS]


def check_buckets(s3: Any, buckets: Sequence[str]) -> None:
    for bucket in buckets:
        try:
            s3.head_bucket(Bucket=bucket)
        except ClientError as error:
            code = _code(error)
            if code in ("404", "NoSuchBucket"):
                raise OffboardError(f"bucket {bucket}: no such bucket") from None
            if code in DENIED:
                raise OffboardError(f"bucket {bucket}: access denied (s3:ListBucket); check the name, the account "
                                    "and that these credentials may list and tag its object versions") from None
            if code in ("301", "PermanentRedirect"):
                region = error.response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("x-amz-bucket-region")
                raise OffboardError(f"bucket {bucket}: in region {region or 'another region'}, "
                                    f"not {s3.meta.region_name}; pass --region") from None
            raise


def pages_of(s3: Any, bucket: str, prefix: str, *, page_size: int = MAX_PAGE_SIZE) -> Iterator[dict[str, Any]]:
    """The ListObjectVersions pages of every object version and delete marker under ``prefix``."""
    try:
        yield from s3.get_paginator("list_object_versions").paginate(
            Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": page_size})
    except ClientError as error:
        raise denied(error, f"s3://{bucket}/{prefix}") or error from None


def holds_anything(s3: Any, bucket: str, prefix: str) -> bool:
    """Whether any object version or delete marker lies under ``prefix``: one request."""
    try:
        page = s3.list_object_versions(Bucket=bucket, Prefix=prefix, MaxKeys=1)
    except ClientError as error:
        raise denied(error, f"s3://{bucket}/{prefix}") or error from None
    return bool(page.get("Versions") or page.get("DeleteMarkers"))


def tag_version(s3: Any, bucket: str, key: str, version_id: str, *, dry_run: bool) -> tuple[str, str | None]:
    """Add TenantStatus = offboarded to one object version, keeping its other tags: (action, reason to skip).

    PutObjectTagging replaces the whole tag set, so the version's tags are read first and kept."""
    try:
        tags = s3.get_object_tagging(Bucket=bucket, Key=key, VersionId=version_id)["TagSet"]
        if any(tag["Key"] == TENANT_STATUS_TAG and tag["Value"] == OFFBOARDED for tag in tags):
            return ALREADY, None
        kept = [tag for tag in tags if tag["Key"] != TENANT_STATUS_TAG]
        if len(kept) >= MAX_TAGS:
            return SKIP, (f"has {len(kept)} tags already; S3 allows {MAX_TAGS} per object, "
                          f"so {TENANT_STATUS_TAG} = {OFFBOARDED} cannot be added")
        if not dry_run:
            s3.put_object_tagging(Bucket=bucket, Key=key, VersionId=version_id, Tagging={
                "TagSet": kept + [{"Key": TENANT_STATUS_TAG, "Value": OFFBOARDED}]})
        return TAG, None
    except ClientError as error:
        code = _code(error)
        if code in CREDENTIAL_ERRORS:
            raise
        if code in DENIED:
            raise denied(error, f"s3://{bucket}/{key} (version {version_id})") from None
        if code in GONE:
            return DELETED, None  # deleted since it was listed (e.g. by the lifecycle rule): nothing to tag
        return SKIP, f"{code}: {error.response.get('Error', {}).get('Message', '')}".rstrip(": ")


def offboard(s3: Any, buckets: Sequence[str], tenant: str, *, dry_run: bool = False, allow_empty: bool = False,
             listing: TextIO | None = None, progress: Progress | None = None,
             page_size: int = MAX_PAGE_SIZE, workers: int = WORKERS) -> Summary:
    """Tag (or, in a dry run, list on ``listing``) every object version of ``tenant`` in ``buckets``.

    Delete markers cannot be tagged (S3 keeps no tags on them) and hold no content: they are only counted."""
    check_tenant(tenant)
    check_buckets(s3, buckets)
    prefix = prefix_of(tenant)
    if not allow_empty and not any(holds_anything(s3, bucket, prefix) for bucket in buckets):
        raise OffboardError(
            f"unknown tenant {tenant!r}: nothing under {prefix!r} in {', '.join(buckets)}; check the ID, "
            "or pass --allow-empty to record an offboarding with no data")
    progress = progress or Progress(None, tenant, dry_run, MAX_PAGE_SIZE)
    summary = Summary(tenant=tenant, dry_run=dry_run, buckets={bucket: BucketCounts() for bucket in buckets})
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="offboard") as pool:
        for bucket, counts in summary.buckets.items():
            for page in pages_of(s3, bucket, prefix, page_size=page_size):
                counts.delete_markers += len(page.get("DeleteMarkers", []))
                versions = page.get("Versions", [])
                results = pool.map(lambda v: tag_version(s3, bucket, v["Key"], v["VersionId"], dry_run=dry_run),
                                   versions)
                for version, (action, reason) in zip(versions, results):
                    key, version_id = version["Key"], version["VersionId"]
                    counts.add(action)
                    if reason:
                        summary.problems.append(Problem(bucket, key, version_id, reason))
                    if listing is not None:
                        entry = {"bucket": bucket, "key": key, "version_id": version_id,
                                 "latest": version.get("IsLatest", False), "action": action}
                        listing.write(json.dumps(entry | ({"reason": reason} if reason else {}),
                                                 ensure_ascii=False) + "\n")
                    progress.step(bucket, counts)
            progress.done(bucket, counts)
    return summary


ClientFactory = Callable[..., tuple[Any, Any]]


def main(argv: Sequence[str] | None = None, *, make_clients: ClientFactory = clients) -> int:
    """The command line; ``make_clients(region=, profile=, endpoint_url=)`` gives the S3 and CloudFormation
    clients."""
    args = _parser().parse_args(argv)
    try:
        return args.handler(args, make_clients)
    except (OffboardError, ConfigurationError) as error:
        print(f"error: {error}", file=sys.stderr)
    except (NoCredentialsError, PartialCredentialsError):
        print("error: no AWS credentials: pass --profile or set the standard AWS environment variables",
              file=sys.stderr)
    except ClientError as error:
        hint = "; the AWS credentials are invalid or expired" if _code(error) in CREDENTIAL_ERRORS else ""
        print(f"error: {error}{hint}", file=sys.stderr)
    except BotoCoreError as error:
        print(f"error: {error}", file=sys.stderr)
    except KeyboardInterrupt:
        print("error: interrupted; versions tagged so far keep their tag: run again to finish", file=sys.stderr)
    except Exception as error:
        if os.environ.get("COMPLIANCE_DEBUG"):
            raise
        print(f"error: unexpected {type(error).__name__}: {error} (set COMPLIANCE_DEBUG=1 for the traceback)",
              file=sys.stderr)
    return 2


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line, like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m tenants", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    command = commands.add_parser(
        "offboard", help="tag every object version of a tenant for deletion (CLD.8.1.5)",
        description=f"Tag every version of every object under TENANT/ in the customer-data buckets "
                    f"{TENANT_STATUS_TAG} = {OFFBOARDED}, keeping the other tags; the buckets' lifecycle rule then "
                    "deletes them. Delete markers cannot be tagged and hold no content (only the key): they are "
                    "only counted. stdout is JSON lines: in a dry run one line per object version, then the summary; "
                    "otherwise the summary only. Exit codes: 0 done; 1 some versions could not be tagged (listed); "
                    "2 one-line error (usage, configuration, credentials, access denied, unknown stack, bucket or "
                    "tenant).",
    )
    command.add_argument("tenant", metavar="TENANT", help=f"tenant ID: {TENANT_ID_ALLOWED}")
    command.add_argument("--dry-run", action="store_true", help="list what would be tagged; change nothing")
    command.add_argument("--bucket", action="append", default=[], metavar="NAME",
                         help="a customer-data bucket (repeatable; default: the outputs "
                              f"{', '.join(BUCKET_OUTPUTS)} of the stack {DATA_STACK.format(prefix='NAME_PREFIX')})")
    command.add_argument("--env", default=DEFAULT_ENVIRONMENT,
                         help="environment whose region and Data stack to use (default: %(default)s)")
    command.add_argument("--config", help="environments file (default: config/environments.toml)")
    command.add_argument("--region", help="AWS region (default: the environment's)")
    command.add_argument("--profile", help="AWS profile (default: the standard credential chain)")
    command.add_argument("--endpoint-url", help="another S3 and CloudFormation endpoint (e.g. a moto server)")
    command.add_argument("--allow-empty", action="store_true",
                         help="succeed when nothing lies under TENANT/ (by default an unknown tenant is an error)")
    command.add_argument("--no-progress", dest="progress", action="store_false",
                         help="no progress on stderr (default: a live line on a terminal, otherwise a line every "
                              "--progress-every versions and one per bucket)")
    command.add_argument("--progress-every", type=_positive, default=1000, metavar="N",
                         help="when stderr is not a terminal, a progress line every N object versions "
                              "(default: %(default)s)")
    command.add_argument("--page-size", type=_page_size, default=MAX_PAGE_SIZE, metavar="N",
                         help="object versions per listing request, 1-1000 (default: %(default)s)")
    command.add_argument("--workers", type=_positive, default=WORKERS, metavar="N",
                         help="object versions tagged at once (default: %(default)s)")
    command.set_defaults(handler=_offboard)
    return parser


def _offboard(args: argparse.Namespace, make_clients: ClientFactory) -> int:
    tenant = check_tenant(args.tenant)
    settings = load_environment(args.env, args.config) if args.region is None or not args.bucket else None
    region = args.region or settings.region
    s3, cloudformation = make_clients(region=region, profile=args.profile, endpoint_url=args.endpoint_url)
    buckets = list(dict.fromkeys(args.bucket)) or discover_buckets(
        cloudformation, DATA_STACK.format(prefix=settings.name_prefix))
    live = sys.stderr.isatty()
    progress = Progress(sys.stderr if args.progress else None, tenant, args.dry_run, args.progress_every, live=live)
    try:
        summary = offboard(s3, buckets, tenant, dry_run=args.dry_run, allow_empty=args.allow_empty,
                           listing=sys.stdout if args.dry_run else None, progress=progress,
                           page_size=args.page_size, workers=args.workers)
    finally:
        progress.close()
    print(json.dumps(summary.document(), ensure_ascii=False))
    if not summary.problems:
        return 0
    for problem in summary.problems:
        print(f"problem: {problem.line()}", file=sys.stderr)
    verb = "would not be tagged" if args.dry_run else "could not be tagged"
    print(f"error: {len(summary.problems)} object versions of tenant {tenant} {verb} (listed above)",
          file=sys.stderr)
    return 1


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: not a positive whole number")
    return int(text)


def _page_size(text: str) -> int:
    value = _positive(text)
    if value > MAX_PAGE_SIZE:
        raise argparse.ArgumentTypeError(f"{text!r}: at most {MAX_PAGE_SIZE}")
    return value


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
