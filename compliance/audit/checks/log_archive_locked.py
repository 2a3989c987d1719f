"""The log archive keeps every log version under Object Lock for the log retention period (12.4.1, 18.1.3).

The archive is every bucket of the account that a CloudTrail trail delivers to (DescribeTrails.S3BucketName,
what the synth rule follows), or whose CloudFormation logical id starts with ``LogArchive`` (the foundation
stack's construct) or whose name contains ``logarchive``/``log-archive`` (CloudFormation's generated names
keep the logical id). A bucket whose tags cannot be read is judged only if another sign names it; what could not
be read (the trails, a bucket's tags) is always reported as one unverified finding for the account."""

from compliance.audit.framework import (Account, AuditCheck, Finding, Unverifiable, call, failed, pages, passed,
                                        unverified)

BUCKET = "AWS::S3::Bucket"
LOGICAL_ID = "aws:cloudformation:logical-id"
NAMES = ("logarchive", "log-archive")
LEGACY_LOCATIONS = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}


def log_archive_locked(account: Account) -> list[Finding]:
    s3 = account.client("s3")
    partition = account.session.get_partition_for_region(account.region)
    trails, unknown = _trail_buckets(account)
    findings = []
    for bucket in pages(s3, "list_buckets", "Buckets"):
        name = bucket["Name"]
        arn = f"arn:{partition}:s3:::{name}"
        why = _why_archive(s3, name, trails, unknown)
        if why is None:
            continue
        try:
            findings.append(_judge(account, s3, name, arn, why))
        except Unverifiable as error:
            findings.append(unverified(arn, BUCKET, account.region, f"log archive ({why}): {error}"))
    where = f"{account.account_id or 'account'}/{account.region}"
    if unknown:
        found = "other log archive buckets may exist" if findings else "no log archive bucket found"
        return [*findings, unverified(where, "AWS::Account", account.region,
                                      f"{found}: these could not be read: " + "; ".join(unknown))]
    if findings:
        return findings
    return [failed(where, "AWS::Account", account.region,
                   f"no log archive bucket: no trail delivers to a bucket of the account, no bucket has a "
                   f"{LOGICAL_ID} starting with LogArchive or a name containing {' or '.join(NAMES)}")]


def _trail_buckets(account: Account) -> tuple[dict[str, str], list[str]]:
    try:
        trails = call(account.client("cloudtrail"), "describe_trails", includeShadowTrails=True)["trailList"]
    except Unverifiable as error:
        return {}, [str(error)]
    return {t["S3BucketName"]: t.get("TrailARN", t.get("Name", "")) for t in trails if t.get("S3BucketName")}, []


def _why_archive(s3, name: str, trails: dict[str, str], unknown: list[str]) -> str | None:
    """Which sign makes ``name`` the log archive, or None; tags it cannot read go to ``unknown``."""
    if name in trails:
        return f"DescribeTrails: {trails[name]} delivers to it"
    if any(part in name.lower() for part in NAMES):
        return f"its name contains {next(p for p in NAMES if p in name.lower())}"
    try:
        answer = call(s3, "get_bucket_tagging", absent=("NoSuchTagSet",), Bucket=name)
    except Unverifiable as error:
        unknown.append(f"{name}: {error}")
        return None
    tags = {t["Key"]: t["Value"] for t in (answer or {}).get("TagSet", [])}
    if tags.get(LOGICAL_ID, "").startswith("LogArchive"):
        return f"GetBucketTagging: {LOGICAL_ID} = {tags[LOGICAL_ID]}"
    return None


def _judge(account: Account, s3, name: str, arn: str, why: str) -> Finding:
    location = call(s3, "get_bucket_location", Bucket=name).get("LocationConstraint")
    region = LEGACY_LOCATIONS.get(location, location)
    answer = call(s3, "get_object_lock_configuration", absent=("ObjectLockConfigurationNotFoundError",), Bucket=name)
    lock = (answer or {}).get("ObjectLockConfiguration", {})
    enabled = lock.get("ObjectLockEnabled")
    if enabled != "Enabled":
        return failed(arn, BUCKET, region, f"log archive ({why}); GetObjectLockConfiguration.ObjectLockEnabled = "
                                           f"{enabled or '(absent: no Object Lock)'}")
    retention = lock.get("Rule", {}).get("DefaultRetention")
    if not retention:
        return failed(arn, BUCKET, region, f"log archive ({why}); ObjectLockEnabled = Enabled but "
                                           "Rule.DefaultRetention absent: log deliveries are not locked")
    years = retention.get("Years") or 0
    days = years * 365 if years else retention.get("Days") or 0
    period = f"{years} years" if years else f"{days} days"
    evidence = (f"log archive ({why}); GetObjectLockConfiguration.ObjectLockEnabled = Enabled, "
                f"Rule.DefaultRetention = {retention.get('Mode')} {period}")
    minimum = account.settings.log_retention_days
    if days < minimum or retention.get("Mode") not in ("GOVERNANCE", "COMPLIANCE"):
        return failed(arn, BUCKET, region, f"{evidence} (needed: {minimum} days or more)")
    return passed(arn, BUCKET, region, evidence)


CHECK = AuditCheck(
    id="LogArchiveLocked",
    clauses=("12.4.1", "18.1.3"),
    title="The log archive bucket has Object Lock with a default retention of at least the log retention period.",
    run=log_archive_locked,
)
