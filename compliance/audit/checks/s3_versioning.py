"""Buckets of the audited region keep every version of their objects (12.3.1, 18.1.3)."""

from compliance.audit.buckets import judge_buckets
from compliance.audit.framework import Account, AuditCheck, Finding, call, failed, passed


def s3_versioning(account: Account) -> list[Finding]:
    def judge(s3, name: str, arn: str) -> tuple:
        status = call(s3, "get_bucket_versioning", Bucket=name).get("Status")
        evidence = f"GetBucketVersioning.Status = {status or '(absent: never enabled)'}"
        return (passed if status == "Enabled" else failed, evidence)
    return judge_buckets(account, judge)


CHECK = AuditCheck(
    id="S3Versioning",
    clauses=("12.3.1", "18.1.3"),
    title="Every S3 bucket of the audited region has versioning enabled, so overwritten and deleted objects "
          "can be recovered.",
    run=s3_versioning,
    synth_rule="ISO27017-S3BucketVersioning",
)
