"""Daily backups kept a week, encrypted (12.3.1): an AWS Backup plan over the customer data."""

from __future__ import annotations

from typing import Sequence

import aws_cdk as cdk
from aws_cdk import aws_backup as backup
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from constructs import Construct

from constructs_lib.acknowledgements import acknowledge
from constructs_lib.data_classification import TAG_KEY, DataClass, classify
from constructs_lib.iam import ManagedPolicyRole
from constructs_lib.keys import DataClassKey

SERVICE_POLICIES = (
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
    "AWSBackupServiceRolePolicyForS3Backup",
    "AWSBackupServiceRolePolicyForS3Restore",
)


class DailyBackup(Construct):
    """A vault encrypted with ``key`` and locked against deleting recovery points younger than
    ``retention_days``, a plan that backs up daily and keeps each backup ``retention_days``, and a
    selection of ``resources`` plus everything tagged with the customer data class."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        key: DataClassKey,
        resources: Sequence[backup.BackupResource],
        retention_days: int = 7,
    ) -> None:
        super().__init__(scope, construct_id)
        if retention_days < 7:
            raise ValueError(f"{construct_id}: retention_days={retention_days}; allowed: 7 or more (clause 12.3.1)")
        self.vault = backup.BackupVault(
            self, "Vault", backup_vault_name=f"{name}-daily", encryption_key=key,
            lock_configuration=backup.LockConfiguration(min_retention=cdk.Duration.days(retention_days)),
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        classify(self.vault, key.data_class)
        self.plan = backup.BackupPlan(self, "Plan", backup_plan_name=f"{name}-daily", backup_vault=self.vault)
        self.plan.add_rule(backup.BackupPlanRule(
            rule_name="Daily",
            schedule_expression=events.Schedule.cron(hour="18", minute="0"),
            start_window=cdk.Duration.hours(1),
            completion_window=cdk.Duration.hours(8),
            delete_after=cdk.Duration.days(retention_days),
        ))
        self.role = ManagedPolicyRole(
            self, "Role", assumed_by=iam.ServicePrincipal("backup.amazonaws.com"),
            description="AWS Backup: back up and restore the customer data",
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(p) for p in SERVICE_POLICIES],
        )
        key.grant(self.role, "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
                  "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:CreateGrant", "kms:DescribeKey")
        acknowledge(
            self.role,
            "These AWS managed policies are the ones AWS Backup documents for its service role, kept in step "
            "with every service it can back up; the role is assumable only by backup.amazonaws.com.",
            *(f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{p}]" for p in SERVICE_POLICIES),
        )
        self.selection = self.plan.add_selection(
            "CustomerData",
            resources=[*resources, backup.BackupResource.from_tag(TAG_KEY, DataClass.CUSTOMER.value)],
            role=self.role,
            allow_restores=False,
        )
