from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_backup as backup
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from config import EnvironmentSettings
from constructs_lib import ClassifiedBucket, DataClassKeys, ServiceVpc, acknowledge
from constructs_lib.backup import DailyBackup
from constructs_lib.buckets import REPLICATION_RULES
from constructs_lib.data import ApplicationDataAccess, DailyRecordsTable, RecordsDatabase
from constructs_lib.log_group import RetainedLogGroup
from constructs_lib.posture import S3MalwareProtection
from stacks.backup_copy import copy_vault_arn
from stacks.environment_stack import EnvironmentStack

DATA_NO_REPLICATION_REASON = (
    "Recovery copies of customer data come from AWS Backup (daily, kept 7 days in a locked, encrypted "
    "vault, 12.3.1) and from versioning; a replica outside Tokyo could only go to ap-northeast-3 (6.1.3) "
    "and is not a whitepaper promise."
)


ENHANCED_MONITORING_LOG_GROUP = "RDSOSMetrics"
"""Where RDS enhanced monitoring writes, account-wide: created here so that it is encrypted and kept."""
APPLICATION_DATABASE_USER = "app"


class DataStack(EnvironmentStack):
    """Customer data: the records database, the daily records table, teaching materials and learning
    records, each encrypted with the customer data key and kept on stack deletion."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: EnvironmentSettings, vpc: ServiceVpc,
                 database_security_group: ec2.ISecurityGroup, keys: DataClassKeys, access_logs: s3.IBucket,
                 application_role: iam.IRole, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, settings=settings, name="data",
                         description="tomoLinks ISO/IEC 27017 data tier: customer data, encrypted and retained", **kwargs)
        self.monitoring_logs = RetainedLogGroup(
            self, "EnhancedMonitoringLogs", encryption_key=keys.operations, retention_days=settings.log_retention_days,
            log_group_name=ENHANCED_MONITORING_LOG_GROUP,
        )
        self.database = RecordsDatabase(
            self, "Records", identifier=f"{settings.name_prefix}-records", vpc=vpc, subnet_group_name="Data",
            security_group=database_security_group, port=settings.database_port, key=keys.customer,
            log_key=keys.operations, log_retention_days=settings.log_retention_days,
        )
        self.daily_records = DailyRecordsTable(self, "DailyRecords", key=keys.customer)
        self.teaching_materials = ClassifiedBucket(self, "TeachingMaterials", encryption_key=keys.customer,
                                                   access_logs=access_logs)
        self.learning_records = ClassifiedBucket(self, "LearningRecords", encryption_key=keys.customer,
                                                 access_logs=access_logs)
        for bucket in (self.teaching_materials, self.learning_records):
            acknowledge(bucket, DATA_NO_REPLICATION_REASON, *REPLICATION_RULES)
        self.backup = DailyBackup(
            self, "Backup", name=settings.name_prefix, key=keys.customer,
            resources=[
                backup.BackupResource.from_rds_database_cluster(self.database.cluster),
                backup.BackupResource.from_arn(self.daily_records.table_arn),
                backup.BackupResource.from_arn(self.teaching_materials.bucket_arn),
                backup.BackupResource.from_arn(self.learning_records.bucket_arn),
            ],
            log_key=keys.operations, lock_mode=settings.backup_vault_lock_mode,
            copy_vault_arn=copy_vault_arn(settings),
        )
        self.database.acknowledge_cluster_level_backup(self.backup.plan.node.path)
        self.database.cluster.node.add_dependency(self.monitoring_logs)
        for construct_id, bucket in (("TeachingMaterialsBucketName", self.teaching_materials),
                                     ("LearningRecordsBucketName", self.learning_records)):
            cdk.CfnOutput(self, construct_id, value=bucket.bucket_name,
                          description="A customer-data bucket: `make offboard` tags a departing tenant's objects here")
        self.malware_protection = S3MalwareProtection(
            self, "MalwareProtection", buckets=[self.teaching_materials, self.learning_records], key=keys.customer)
        self.application_access = ApplicationDataAccess(
            self, "ApplicationAccess", role=application_role, buckets=[self.teaching_materials, self.learning_records],
            table=self.daily_records, database=self.database.cluster, database_user=APPLICATION_DATABASE_USER,
            key=keys.customer,
        )
