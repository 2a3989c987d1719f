from __future__ import annotations

from typing import Any

from constructs import Construct

from config import EnvironmentSettings
from constructs_lib import AccessLogsBucket, DataClassKeys, LogArchiveBucket, RetainedLogGroup, acknowledge
from stacks.environment_stack import EnvironmentStack


NO_REPLICATION_REASON = (
    "Cross-region replication is not a whitepaper promise: the logs are protected by S3's "
    "multi-AZ durability, versioning and (for the archive) Object Lock, and recovery copies are "
    "the job of AWS Backup under 12.3.1; any copy outside Tokyo may only go to ap-northeast-3 (6.1.3)."
)


class FoundationStack(EnvironmentStack):
    """Customer managed keys per data class and the log archive the other stacks write to."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: EnvironmentSettings, **kwargs: Any) -> None:
        super().__init__(
            scope,
            construct_id,
            settings=settings,
            name="foundation",
            description="tomoLinks ISO/IEC 27017 foundation: data-class keys, log archive, audit log group",
            **kwargs,
        )
        self.keys = DataClassKeys(self, "Keys", alias_prefix=settings.name_prefix)
        self.access_logs = AccessLogsBucket(self, "AccessLogs")
        self.log_archive = LogArchiveBucket(
            self,
            "LogArchive",
            encryption_key=self.keys.operations,
            access_logs=self.access_logs,
            retention_days=settings.log_retention_days,
        )
        for bucket in (self.access_logs, self.log_archive):
            acknowledge(bucket, NO_REPLICATION_REASON,
                        "NIST.800.53.R5-S3BucketReplicationEnabled", "HIPAA.Security-S3BucketReplicationEnabled")
        self.audit_logs = RetainedLogGroup(
            self,
            "AuditLogs",
            encryption_key=self.keys.operations,
            retention_days=settings.log_retention_days,
        )
