from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import customer_managed_key
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved

KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")


def s3_bucket_kms_cmk(resource: Resource) -> Check:
    configuration = resource.prop("BucketEncryption", "ServerSideEncryptionConfiguration")
    if configuration is None:
        return non_compliant("BucketEncryption absent: S3 encrypts with SSE-S3 (Amazon S3 managed keys)")
    if is_intrinsic(configuration) or not isinstance(configuration, list):
        return unresolved(f"ServerSideEncryptionConfiguration = {show(configuration)}")
    if not configuration:
        return non_compliant("ServerSideEncryptionConfiguration is empty: S3 encrypts with SSE-S3")
    evidence = []
    for entry in configuration:
        if not isinstance(entry, dict):
            return unresolved(f"ServerSideEncryptionConfiguration entry = {show(entry)}")
        default = entry.get("ServerSideEncryptionByDefault") or {}
        algorithm = default.get("SSEAlgorithm")
        if is_intrinsic(algorithm):
            return unresolved(f"SSEAlgorithm = {show(algorithm)}")
        if algorithm not in KMS_ALGORITHMS:
            return non_compliant(f"SSEAlgorithm = {algorithm}")
        key = default.get("KMSMasterKeyID")
        if key is None:
            return non_compliant(f"SSEAlgorithm = {algorithm} without KMSMasterKeyID: the AWS managed key aws/s3")
        found = customer_managed_key(resource, key, "KMSMasterKeyID")
        if isinstance(found, Check):
            return found
        bucket_key = entry.get("BucketKeyEnabled")
        if is_intrinsic(bucket_key):
            return unresolved(f"BucketKeyEnabled = {show(bucket_key)}")
        if algorithm == "aws:kms" and bucket_key not in (True, "true"):
            return non_compliant(f"SSEAlgorithm = aws:kms with {found}, but BucketKeyEnabled = "
                                 f"{show(bucket_key) if bucket_key is not None else '(absent: false)'}: every object "
                                 "calls KMS, and the key's use cannot be kept to the bucket")
        keys = "; BucketKeyEnabled = true" if algorithm == "aws:kms" else ""
        evidence.append(f"SSEAlgorithm = {algorithm}; KMSMasterKeyID = {found} (AWS::KMS::Key, customer managed){keys}")
    return compliant("; ".join(evidence))


RULE = Rule(
    name="S3BucketKmsCmk",
    clauses=("10.1.1",),
    resource_types=("AWS::S3::Bucket",),
    info="The S3 bucket is not encrypted with a customer managed KMS key.",
    explanation=(
        "Storage must be encrypted with keys the service controls, separated by data class. "
        "Set encryption=BucketEncryption.KMS with the encryption_key of the bucket's data class and "
        "bucket_key_enabled=True (an S3 Bucket Key per bucket, so KMS calls and costs stay low); "
        "SSE-S3 and the AWS managed key aws/s3 give no key policy and no per-class separation."
    ),
    check=s3_bucket_kms_cmk,
    security_hub=("S3.17",),
)
