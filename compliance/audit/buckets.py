"""The loop the S3 checks share: every bucket of the audited region, judged one by one."""

from __future__ import annotations

from typing import Any, Callable

from compliance.audit.framework import Account, Finding, Unverifiable, pages, unverified

BUCKET = "AWS::S3::Bucket"

Judge = Callable[[Any, str, str], tuple[Callable[..., Finding], str]]
"""judge(s3 client, bucket name, bucket ARN) -> (passed or failed, evidence)."""


def judge_buckets(account: Account, judge: Judge) -> list[Finding]:
    """``judge`` on every bucket ListBuckets puts in the audited region; a bucket whose calls cannot be read is
    unverified, the others are still judged."""
    s3 = account.client("s3")
    partition = account.session.get_partition_for_region(account.region)
    findings = []
    for bucket in pages(s3, "list_buckets", "Buckets", BucketRegion=account.region):
        arn = f"arn:{partition}:s3:::{bucket['Name']}"
        try:
            result, evidence = judge(s3, bucket["Name"], arn)
            findings.append(result(arn, BUCKET, account.region, evidence))
        except Unverifiable as error:
            findings.append(unverified(arn, BUCKET, account.region, str(error)))
    return findings
