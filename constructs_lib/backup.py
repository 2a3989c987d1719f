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


LOCK_MODES = ("governance", "compliance")
COMPLIANCE_GRACE_DAYS = 3
"""Days a compliance-mode vault lock can still be removed; after that nobody can, not even root."""


class DailyBackup(Construct):
    """A vault encrypted with ``key`` and locked against deleting recovery points younger than
    ``retention_days`` (``lock_mode`` governance, or compliance: immutable after a 3-day grace
    period), a plan that backs up daily and keeps each backup ``retention_days`` (optionally copied
    to the vault ``copy_vault_arn``), a selection of ``resources`` plus everything tagged with the
    customer data class, and a Backup Audit Manager framework that checks all of it continuously."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        key: DataClassKey,
        resources: Sequence[backup.BackupResource],
        retention_days: int = 7,
        lock_mode: str = "governance",
        copy_vault_arn: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if lock_mode not in LOCK_MODES:
            raise ValueError(f"{construct_id}: lock_mode={lock_mode!r}; allowed: {', '.join(LOCK_MODES)} (clause 12.3.1)")
        if retention_days < 7:
            raise ValueError(f"{construct_id}: retention_days={retention_days}; allowed: 7 or more (clause 12.3.1)")
        self.vault = backup.BackupVault(
            self, "Vault", backup_vault_name=f"{name}-daily", encryption_key=key,
            lock_configuration=backup.LockConfiguration(
                min_retention=cdk.Duration.days(retention_days),
                changeable_for=cdk.Duration.days(COMPLIANCE_GRACE_DAYS) if lock_mode == "compliance" else None,
            ),
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
            copy_actions=[backup.BackupPlanCopyActionProps(
                destination_backup_vault=backup.BackupVault.from_backup_vault_arn(self, "CopyVault", copy_vault_arn),
                delete_after=cdk.Duration.days(retention_days),
            )] if copy_vault_arn else None,
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
        self.framework = backup.CfnFramework(
            self, "Framework",
            framework_name=f"{name.replace('-', '_')}_daily_backups",
            framework_description="Daily backups kept at least a week, encrypted, locked (ISO/IEC 27017 12.3.1)",
            framework_controls=[
                _control("BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK", requiredFrequencyUnit="days",
                         requiredFrequencyValue="1", requiredRetentionDays=str(retention_days)),
                _control("BACKUP_RECOVERY_POINT_ENCRYPTED"),
                _control("BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN", scope_tag=(TAG_KEY, DataClass.CUSTOMER.value)),
                _control("BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK", scope_tag=(TAG_KEY, DataClass.CUSTOMER.value),
                         minRetentionDays=str(retention_days)),
            ],
        )


def _control(name: str, scope_tag: tuple[str, str] | None = None, **parameters: str) -> backup.CfnFramework.FrameworkControlProperty:
    return backup.CfnFramework.FrameworkControlProperty(
        control_name=name,
        control_input_parameters=[backup.CfnFramework.ControlInputParameterProperty(
            parameter_name=key, parameter_value=value) for key, value in parameters.items()] or None,
        # ControlScope is untyped in the CDK schema: written as CloudFormation spells it.
        control_scope={"Tags": [{"Key": scope_tag[0], "Value": scope_tag[1]}]} if scope_tag else None,
    )
