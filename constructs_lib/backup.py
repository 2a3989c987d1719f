"""Daily backups kept a week, encrypted (12.3.1): an AWS Backup plan over the customer data."""

from __future__ import annotations

from typing import Sequence

import aws_cdk as cdk
from aws_cdk import aws_backup as backup
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import custom_resources as cr
from constructs import Construct

from constructs_lib.acknowledgements import acknowledge
from constructs_lib.data_classification import TAG_KEY, DataClass, classify
from constructs_lib.iam import ManagedPolicyRole
from constructs_lib.keys import DataClassKey
from constructs_lib.log_group import RetainedLogGroup
from constructs_lib.custom_resources import acknowledge_custom_resource_function
from constructs_lib.stateful import KEEP

SERVICE_POLICIES = (
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
    "AWSBackupServiceRolePolicyForS3Backup",
    "AWSBackupServiceRolePolicyForS3Restore",
)


STATELESS_RESOURCES = ("arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:*:*:volume/*")
"""The application servers carry the customer tag on their instances and volumes but hold no records:
they are replaced, not restored, so the selection leaves them out."""

RECORD_SERVICES = ("Aurora", "DynamoDB", "S3")
"""Where the service keeps records, as Backup Audit Manager names the services; the servers' instances and
volumes also carry the customer tag but hold no records, so the controls are scoped by service, not by tag."""

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
        log_key: DataClassKey,
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
            removal_policy=KEEP,
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
        selection = self.selection.node.default_child
        assert isinstance(selection, backup.CfnBackupSelection)
        selection.add_property_override("BackupSelection.NotResources", list(STATELESS_RESOURCES))
        self._enable_advanced_dynamodb_backups(log_key)
        self.framework = backup.CfnFramework(
            self, "Framework",
            framework_name=f"{name.replace('-', '_')}_daily_backups",
            framework_description="Daily backups kept at least a week, encrypted, locked (ISO/IEC 27017 12.3.1)",
            framework_controls=[
                _control("BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK", requiredFrequencyUnit="days",
                         requiredFrequencyValue="1", requiredRetentionDays=str(retention_days)),
                _control("BACKUP_RECOVERY_POINT_ENCRYPTED"),
                _control("BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN", scope_types=RECORD_SERVICES),
                _control("BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK", scope_types=RECORD_SERVICES,
                         minRetentionDays=str(retention_days)),
            ],
        )


    def _enable_advanced_dynamodb_backups(self, log_key: DataClassKey) -> None:
        """AWS Backup's own backups of DynamoDB (needed to copy them to another region and to lock them in the
        vault) are an opt-in of the account and region, which CloudFormation cannot set."""
        stack = cdk.Stack.of(self)
        role = ManagedPolicyRole(self, "SettingsRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                                 description="Deployment-time function: turns on AWS Backup's DynamoDB backups")
        role.add_to_principal_policy(iam.PolicyStatement(sid="UpdateBackupRegionSettings",
                                                         actions=["backup:UpdateRegionSettings"], resources=["*"]))
        acknowledge(role.permissions, "backup:UpdateRegionSettings acts on the account's settings in this region and "
                                      "supports no resource-level permissions.", "AwsSolutions-IAM5[Resource::*]")
        logs = RetainedLogGroup(self, "SettingsLogs", encryption_key=log_key)
        logs.grant_write(role)
        enable = cr.AwsSdkCall(
            service="Backup", action="updateRegionSettings",
            parameters={"ResourceTypeManagementPreference": {"DynamoDB": True}},
            physical_resource_id=cr.PhysicalResourceId.of(f"backup-dynamodb-{stack.region}"),
        )
        # No on_delete: turning the account's setting off could stop other backups.
        self.dynamodb_settings = cr.AwsCustomResource(
            self, "AdvancedDynamoDbBackups", on_create=enable, on_update=enable, install_latest_aws_sdk=False,
            role=role, log_group=logs)
        acknowledge_custom_resource_function(stack)


def _control(name: str, scope_types: Sequence[str] = (), **parameters: str) -> backup.CfnFramework.FrameworkControlProperty:
    return backup.CfnFramework.FrameworkControlProperty(
        control_name=name,
        control_input_parameters=[backup.CfnFramework.ControlInputParameterProperty(
            parameter_name=key, parameter_value=value) for key, value in parameters.items()] or None,
        # ControlScope is untyped in the CDK schema: written as CloudFormation spells it.
        control_scope={"ComplianceResourceTypes": list(scope_types)} if scope_types else None,
    )
