"""S3 buckets with the whitepaper's defaults: KMS per data class, TLS 1.2 only, private, retained."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib.acknowledgements import acknowledge, skip_checkov
from constructs_lib.data_classification import DataClass, classify
from constructs_lib.keys import DataClassKey
from constructs_lib.stateful import KEEP
from nag_rules.rules.offboarded_tenant_data_expires import OFFBOARDED, TENANT_STATUS_TAG
from nag_rules.standards import MINIMUM_TLS

OFFBOARDED_EXPIRY_DAYS = 30
OFFBOARDED_NONCURRENT_DAYS = 1
"""An offboarded tenant's objects go 30 days after tagging and their last versions a day later; with the
7-day backups that is 38 days, inside "the end of the month after next" (CLD.8.1.5)."""

NO_REPLICATION_REASON = (
    "Cross-region replication is not a whitepaper promise: the logs are protected by S3's "
    "multi-AZ durability, versioning and (for the archive) Object Lock, and recovery copies are "
    "the job of AWS Backup under 12.3.1; any copy outside Tokyo may only go to ap-northeast-3 (6.1.3)."
)
REPLICATION_RULES = ("NIST.800.53.R5-S3BucketReplicationEnabled", "HIPAA.Security-S3BucketReplicationEnabled")


def _protected(props: dict[str, Any]) -> dict[str, Any]:
    """Properties no caller may weaken: TLS 1.2 only, no public access, versions kept, never deleted."""
    props.update(
        enforce_ssl=True,
        minimum_tls_version=MINIMUM_TLS,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        versioned=True,
        removal_policy=KEEP,
        auto_delete_objects=False,
    )
    return props


def _log_lifecycle(construct_id: str, retention_days: int) -> list[s3.LifecycleRule]:
    """Logs kept ``retention_days`` (12.4.1), current and overwritten versions alike, then removed by S3."""
    if retention_days < 365:
        raise ValueError(f"{construct_id}: retention_days={retention_days!r}; allowed: 365 or more "
                         "(clause 12.4.1: logs kept 12 months)")
    return [s3.LifecycleRule(id="KeepLogs", expiration=cdk.Duration.days(retention_days),
                             noncurrent_version_expiration=cdk.Duration.days(retention_days))]


class AccessLogsBucket(s3.Bucket):
    """Destination of S3 server access logs, kept ``retention_days`` and never deletable by anyone.

    S3 delivers server access logs only to buckets whose default encryption is SSE-S3 and
    that have no Object Lock, so this bucket is the one documented exception to "a customer
    managed key everywhere"; the exception is acknowledged here, on this bucket only.
    """

    def __init__(self, scope: Construct, construct_id: str, *, retention_days: int = 365, **bucket_props: Any) -> None:
        bucket_props.update(encryption=s3.BucketEncryption.S3_MANAGED,
                            lifecycle_rules=_log_lifecycle(construct_id, retention_days))
        super().__init__(scope, construct_id, **_protected(bucket_props))
        classify(self, DataClass.OPERATIONS)
        deny_object_deletion(self)
        reason_kms = (
            "S3 server access log delivery supports only SSE-S3 default encryption on the "
            "destination bucket, so this bucket cannot use a customer managed KMS key."
        )
        reason_logging = (
            "This bucket is the server access log destination; logging its own accesses into "
            "itself would loop, and S3 forbids a destination that logs to itself."
        )
        acknowledge(self, reason_kms, "ISO27017-S3BucketKmsCmk",
                    "NIST.800.53.R5-S3DefaultEncryptionKMS", "HIPAA.Security-S3DefaultEncryptionKMS")
        acknowledge(self, reason_logging, "AwsSolutions-S1",
                    "NIST.800.53.R5-S3BucketLoggingEnabled", "HIPAA.Security-S3BucketLoggingEnabled")
        skip_checkov(self, "CKV_AWS_18", reason_logging)


class LoadBalancerLogsBucket(s3.Bucket):
    """Destination of load balancer access logs, kept ``retention_days`` and never deletable by anyone.

    Elastic Load Balancing delivers access logs only to buckets encrypted with SSE-S3, so this
    bucket is a documented exception to "a customer managed key everywhere", acknowledged here.
    Its own accesses are logged to ``access_logs``.
    """

    def __init__(self, scope: Construct, construct_id: str, *, access_logs: s3.IBucket, retention_days: int = 365,
                 **bucket_props: Any) -> None:
        bucket_props.setdefault("server_access_logs_prefix", f"{construct_id}/")
        bucket_props.update(encryption=s3.BucketEncryption.S3_MANAGED, server_access_logs_bucket=access_logs,
                            lifecycle_rules=_log_lifecycle(construct_id, retention_days))
        super().__init__(scope, construct_id, **_protected(bucket_props))
        classify(self, DataClass.OPERATIONS)
        deny_object_deletion(self)
        acknowledge(self, "Elastic Load Balancing delivers access logs only to buckets whose default "
                          "encryption is SSE-S3, so this bucket cannot use a customer managed KMS key.",
                    "ISO27017-S3BucketKmsCmk", "NIST.800.53.R5-S3DefaultEncryptionKMS",
                    "HIPAA.Security-S3DefaultEncryptionKMS")


OFFBOARDED_TENANT_EXPIRY = s3.LifecycleRule(
    id="ExpireOffboardedTenants",
    tag_filters={TENANT_STATUS_TAG: OFFBOARDED},
    expiration=cdk.Duration.days(OFFBOARDED_EXPIRY_DAYS),
    noncurrent_version_expiration=cdk.Duration.days(OFFBOARDED_NONCURRENT_DAYS),
)

REMOVE_LEFTOVERS = s3.LifecycleRule(
    id="RemoveLeftovers",
    expired_object_delete_marker=True,
    abort_incomplete_multipart_upload_after=cdk.Duration.days(OFFBOARDED_NONCURRENT_DAYS),
)
"""What the tag-filtered rule cannot reach: the delete markers its expiry leaves (they keep the key names) and
uploads never completed (untaggable parts)."""


class ClassifiedBucket(s3.Bucket):
    """A bucket of one data class, encrypted with that class's customer managed key.

    Callers may pass any ``s3.Bucket`` property (lifecycle rules, object lock, ...); the
    encryption, TLS, public access, versioning and retention settings are applied last. A customer-data
    bucket also expires the objects of offboarded tenants (tagged ``TenantStatus=offboarded`` by
    ``python -m tenants offboard``), whatever lifecycle rules the caller gives.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        encryption_key: DataClassKey,
        access_logs: s3.IBucket,
        **bucket_props: Any,
    ) -> None:
        bucket_props.setdefault("server_access_logs_prefix", f"{construct_id}/")
        bucket_props.update(
            encryption=s3.BucketEncryption.KMS,
            encryption_key=encryption_key,
            bucket_key_enabled=True,
            server_access_logs_bucket=access_logs,
        )
        if encryption_key.data_class is DataClass.CUSTOMER:
            bucket_props["lifecycle_rules"] = [*(bucket_props.get("lifecycle_rules") or []), OFFBOARDED_TENANT_EXPIRY,
                                               REMOVE_LEFTOVERS]
        super().__init__(scope, construct_id, **_protected(bucket_props))
        self.data_class = encryption_key.data_class
        classify(self, encryption_key.data_class)


class LogArchiveBucket(ClassifiedBucket):
    """Write-once archive of operations logs (12.4.1, 18.1.3, 16.1.7): Object Lock keeps each version
    ``retention_days``, and the bucket policy denies deleting objects or versions to everyone (Object
    Lock in governance mode could otherwise be bypassed by a principal allowed to)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        encryption_key: DataClassKey,
        access_logs: s3.IBucket,
        retention_days: int = 365,
        **bucket_props: Any,
    ) -> None:
        if retention_days < 365:
            raise ValueError(
                f"{construct_id}: retention_days={retention_days!r}; allowed: 365 or more "
                "(clause 12.4.1: logs kept 12 months)"
            )
        bucket_props.update(
            object_lock_enabled=True,
            object_lock_default_retention=s3.ObjectLockRetention.governance(cdk.Duration.days(retention_days)),
        )
        super().__init__(scope, construct_id, encryption_key=encryption_key, access_logs=access_logs, **bucket_props)
        deny_object_deletion(self)


def deny_object_deletion(bucket: s3.Bucket) -> None:
    """Deny deleting any object or version of ``bucket`` to everyone, unconditionally (18.1.3)."""
    bucket.add_to_resource_policy(iam.PolicyStatement(
        sid="DenyDeletingLogs",
        effect=iam.Effect.DENY,
        principals=[iam.AnyPrincipal()],
        actions=["s3:DeleteObject", "s3:DeleteObjectVersion"],
        resources=[bucket.arn_for_objects("*")],
    ))


class EdgeLogsBucket(ClassifiedBucket):
    """Where the edge's logs land, in Japan: CloudFront access logs and the CloudFront web ACL's
    logs, delivered by AWS from ``source_region`` (us-east-1). Its name starts with
    aws-waf-logs- (AWS WAF requires it) and is fixed, so the edge stack names it without a
    cross-region reference."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bucket_name: str,
        encryption_key: DataClassKey,
        access_logs: s3.IBucket,
        source_region: str,
    ) -> None:
        if not bucket_name.startswith("aws-waf-logs-"):
            raise ValueError(f"{construct_id}: bucket_name={bucket_name!r}; allowed: a name starting with aws-waf-logs-")
        super().__init__(scope, construct_id, bucket_name=bucket_name, encryption_key=encryption_key,
                         access_logs=access_logs)
        stack = cdk.Stack.of(self)
        conditions = {
            "StringEquals": {"aws:SourceAccount": stack.account},
            "ArnLike": {"aws:SourceArn": f"arn:{stack.partition}:logs:{source_region}:{stack.account}:*"},
        }
        delivery = iam.ServicePrincipal("delivery.logs.amazonaws.com")
        self.add_to_resource_policy(iam.PolicyStatement(
            sid="AllowLogDeliveryWrite", principals=[delivery], actions=["s3:PutObject"],
            resources=[self.arn_for_objects(f"AWSLogs/{stack.account}/*"), self.arn_for_objects("cloudfront/*")],
            conditions=conditions,
        ))
        self.add_to_resource_policy(iam.PolicyStatement(
            sid="AllowLogDeliveryAclCheck", principals=[delivery], actions=["s3:GetBucketAcl", "s3:ListBucket"],
            resources=[self.bucket_arn], conditions=conditions,
        ))
        encryption_key.allow_log_delivery(source_region)
        deny_object_deletion(self)
