"""Buckets of the audited region encrypted by default with a customer managed KMS key (10.1.1)."""

from compliance.audit.buckets import judge_buckets
from compliance.audit.framework import Account, AuditCheck, Finding, call, failed, passed

NO_DEFAULT = ("ServerSideEncryptionConfigurationNotFoundError",)
SSE_S3_NOTE = ("; S3 server access log and load balancer log destinations accept only SSE-S3, and the synth "
               "report acknowledges those buckets")


def s3_default_encryption_kms(account: Account) -> list[Finding]:
    def judge(s3, name: str, arn: str) -> tuple:
        answer = call(s3, "get_bucket_encryption", absent=NO_DEFAULT, Bucket=name)
        rules = (answer or {}).get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
        if not rules:
            return (failed, "GetBucketEncryption: no default encryption rule")
        default = rules[0].get("ApplyServerSideEncryptionByDefault", {})
        algorithm, key = default.get("SSEAlgorithm"), default.get("KMSMasterKeyID")
        evidence = f"GetBucketEncryption...SSEAlgorithm = {algorithm}, KMSMasterKeyID = {key}, " \
                   f"BucketKeyEnabled = {rules[0].get('BucketKeyEnabled', False)}"
        if algorithm not in ("aws:kms", "aws:kms:dsse"):
            return (failed, evidence + SSE_S3_NOTE * (algorithm == "AES256"))
        if not key:
            return (failed, evidence + " (the AWS managed key aws/s3)")
        kms = account.client("kms", key.split(":")[3] if key.startswith("arn:") else None)
        manager = call(kms, "describe_key", KeyId=key)["KeyMetadata"].get("KeyManager")
        return (passed if manager == "CUSTOMER" else failed, f"{evidence}; DescribeKey.KeyManager = {manager}")
    return judge_buckets(account, judge)


CHECK = AuditCheck(
    id="S3DefaultEncryptionKms",
    clauses=("10.1.1",),
    title="Every S3 bucket of the audited region encrypts new objects by default with a customer managed KMS key.",
    run=s3_default_encryption_kms,
    synth_rule="ISO27017-S3BucketKmsCmk",
)
