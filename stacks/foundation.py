from __future__ import annotations

from typing import Any

from constructs import Construct

from config import EnvironmentSettings
from constructs_lib import (
    AccessLogsBucket,
    DataClassKeys,
    LogArchiveBucket,
    NotificationTopic,
    RetainedLogGroup,
    acknowledge,
)
from constructs_lib.buckets import NO_REPLICATION_REASON, REPLICATION_RULES
from stacks.environment_stack import EnvironmentStack


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
            acknowledge(bucket, NO_REPLICATION_REASON, *REPLICATION_RULES)
        self.notifications = NotificationTopic(
            self, "Notifications", key=self.keys.operations, emails=settings.security_contact_emails,
        )
        self.audit_logs = RetainedLogGroup(
            self,
            "AuditLogs",
            encryption_key=self.keys.operations,
            retention_days=settings.log_retention_days,
        )
