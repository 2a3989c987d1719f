"""Buckets of the audited region block every kind of public access (13.1.3, 9.4.1)."""

from compliance.audit.buckets import judge_buckets
from compliance.audit.framework import Account, AuditCheck, Finding, call, failed, passed

SETTINGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def s3_public_access_block(account: Account) -> list[Finding]:
    def judge(s3, name: str, arn: str) -> tuple:
        answer = call(s3, "get_public_access_block", absent=("NoSuchPublicAccessBlockConfiguration",), Bucket=name)
        if answer is None:
            return (failed, "GetPublicAccessBlock: NoSuchPublicAccessBlockConfiguration on the bucket")
        block = answer.get("PublicAccessBlockConfiguration", {})
        off = [s for s in SETTINGS if block.get(s) is not True]
        evidence = "GetPublicAccessBlock: " + ", ".join(f"{s} = {block.get(s, False)}" for s in SETTINGS)
        return (failed, f"off: {', '.join(off)}; {evidence}") if off else (passed, evidence)
    return judge_buckets(account, judge)


CHECK = AuditCheck(
    id="S3PublicAccessBlock",
    clauses=("13.1.3", "9.4.1"),
    title="Every S3 bucket of the audited region has all four public access block settings on.",
    run=s3_public_access_block,
    synth_rule="ISO27017-S3BucketPublicAccessBlock",
)
