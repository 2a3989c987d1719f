from __future__ import annotations

from typing import Any

from constructs import Construct

from config import EnvironmentSettings
from config import EDGE_REGION
from constructs_lib import (
    AccessLogsBucket,
    AutoScalingServiceRole,
    EdgeLogsBucket,
    DataClassKeys,
    LogArchiveBucket,
    NotificationTopic,
    RetainedLogGroup,
    acknowledge,
)
from constructs_lib.audit import AuditTrail
from constructs_lib.buckets import NO_REPLICATION_REASON, REPLICATION_RULES
from stacks.environment_stack import EnvironmentStack


def edge_logs_bucket_name(settings: EnvironmentSettings) -> str:
    """Fixed, so the edge stack in us-east-1 names the bucket without a cross-region reference."""
    return f"aws-waf-logs-{settings.name_prefix}-edge-{settings.account}"


class FoundationStack(EnvironmentStack):
    """Customer managed keys per data class, the log archive the other stacks write to, the account's
    audit trail and the topic that tells the security contacts."""

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
        self.auto_scaling_role = AutoScalingServiceRole(self, "AutoScalingRole", suffix=settings.name_prefix)
        self.access_logs = AccessLogsBucket(self, "AccessLogs", retention_days=settings.log_retention_days)
        self.log_archive = LogArchiveBucket(
            self,
            "LogArchive",
            encryption_key=self.keys.operations,
            access_logs=self.access_logs,
            retention_days=settings.log_retention_days,
        )
        self.edge_logs = EdgeLogsBucket(
            self, "EdgeLogs", bucket_name=edge_logs_bucket_name(settings), encryption_key=self.keys.operations,
            access_logs=self.access_logs, source_region=EDGE_REGION,
        )
        for bucket in (self.access_logs, self.log_archive, self.edge_logs):
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
        self.trail = AuditTrail(self, "Trail", name=f"{settings.name_prefix}-audit", archive=self.log_archive,
                                key=self.keys.operations, log_group=self.audit_logs)
        self.keys.operations.allow_service("cloudwatch.amazonaws.com")
        # EventBridge writes undeliverable notifications to the encrypted dead-letter queue as itself, and names
        # the rule, not the account, in the request.
        self.keys.operations.allow_service(
            "events.amazonaws.com", ("kms:Decrypt", "kms:GenerateDataKey"), source_account=False,
            conditions={"ArnLike": {"aws:SourceArn": self.format_arn(service="events", resource="rule",
                                                                      resource_name="*")}})
