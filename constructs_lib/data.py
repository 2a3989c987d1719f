"""The data tier (10.1.1, 12.3.1, 13.1.3): an Aurora PostgreSQL cluster that accepts only TLS 1.2+,
a DynamoDB table of daily records, both encrypted with the customer data key and retained, and the
application servers' access to the customer data."""

from __future__ import annotations

from typing import Sequence

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib.acknowledgements import acknowledge
from constructs_lib.data_classification import classify
from constructs_lib.keys import DataClassKey
from constructs_lib.log_group import RetainedLogGroup
from constructs_lib.stateful import KEEP

POSTGRES = rds.DatabaseClusterEngine.aurora_postgres(version=rds.AuroraPostgresEngineVersion.VER_16_13)
TLS_PARAMETERS = {"rds.force_ssl": "1", "ssl_min_protocol_version": "TLSv1.2"}


class RecordsDatabase(Construct):
    """Aurora PostgreSQL (Serverless v2) in the isolated data subnets: storage and the managed master
    secret encrypted with ``key``, TLS 1.2 forced, IAM authentication, deletion protection, automated
    backups kept ``backup_days``, PostgreSQL logs kept ``log_retention_days``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        identifier: str,
        vpc: ec2.IVpc,
        subnet_group_name: str,
        security_group: ec2.ISecurityGroup,
        port: int,
        key: DataClassKey,
        log_key: DataClassKey,
        log_retention_days: int,
        backup_days: int = 7,
    ) -> None:
        super().__init__(scope, construct_id)
        if backup_days < 7:
            raise ValueError(f"{construct_id}: backup_days={backup_days}; allowed: 7 or more (clause 12.3.1)")
        self.logs = RetainedLogGroup(self, "PostgresqlLogs", encryption_key=log_key, retention_days=log_retention_days,
                                     log_group_name=f"/aws/rds/cluster/{identifier}/postgresql")
        parameters = rds.ParameterGroup(self, "Parameters", engine=POSTGRES, description="TLS 1.2 only",
                                        parameters={**TLS_PARAMETERS, "log_connections": "1", "log_disconnections": "1"})
        self.cluster = rds.DatabaseCluster(
            self,
            "Cluster",
            engine=POSTGRES,
            cluster_identifier=identifier,
            writer=rds.ClusterInstance.serverless_v2("Writer", auto_minor_version_upgrade=True),
            readers=[rds.ClusterInstance.serverless_v2("Reader", scale_with_writer=True, auto_minor_version_upgrade=True)],
            serverless_v2_min_capacity=0.5,
            serverless_v2_max_capacity=8,
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_group_name=subnet_group_name),
            security_groups=[security_group],
            port=port,
            parameter_group=parameters,
            credentials=rds.Credentials.from_username("postgres", encryption_key=key),
            manage_master_user_password=True,
            storage_encrypted=True,
            storage_encryption_key=key,
            iam_authentication=True,
            deletion_protection=True,
            backup=rds.BackupProps(retention=cdk.Duration.days(backup_days)),
            cloudwatch_logs_exports=["postgresql"],
            monitoring_interval=cdk.Duration.seconds(60),
            monitoring_role=self._monitoring_role(),
            copy_tags_to_snapshot=True,
            removal_policy=KEEP,
        )
        self.cluster.node.add_dependency(self.logs)
        classify(self, key.data_class)

    def _monitoring_role(self) -> iam.IRole:
        policy = "service-role/AmazonRDSEnhancedMonitoringRole"
        role = iam.Role(self, "MonitoringRole", assumed_by=iam.ServicePrincipal("monitoring.rds.amazonaws.com"),
                        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(policy)])
        acknowledge(role, "AmazonRDSEnhancedMonitoringRole is the policy AWS documents for RDS enhanced monitoring; "
                          "it only writes the RDSOSMetrics log group and the role is assumable only by RDS.",
                    f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{policy}]")
        return role

    def acknowledge_cluster_level_backup(self, plan: str) -> None:
        """Aurora backs up clusters, not instances: say so on each instance, for the packs that look there."""
        reason = (f"Aurora backs up the cluster, not its instances: the cluster is selected by the AWS Backup "
                  f"plan {plan} and keeps 7 days of automated backups; the instances hold no data of their own.")
        for instance in self.cluster.node.children:
            if isinstance(instance, rds.CfnDBInstance) or isinstance(getattr(instance.node, "default_child", None),
                                                                        rds.CfnDBInstance):
                acknowledge(instance, reason, "NIST.800.53.R5-RDSInBackupPlan", "HIPAA.Security-RDSInBackupPlan")


class DailyRecordsTable(dynamodb.TableV2):
    """Attendance and well-being records, one item per tenant, subject and day: the tenant key leads
    every key (CLD.9.5.1), the customer data key encrypts it, point-in-time recovery keeps 35 days."""

    def __init__(self, scope: Construct, construct_id: str, *, key: DataClassKey) -> None:
        super().__init__(
            scope,
            construct_id,
            partition_key=dynamodb.Attribute(name="tenant_id", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="record_key", type=dynamodb.AttributeType.STRING),
            billing=dynamodb.Billing.on_demand(),
            encryption=dynamodb.TableEncryptionV2.customer_managed_key(key),
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True),
            deletion_protection=True,
            removal_policy=KEEP,
        )
        classify(self, key.data_class)


class ApplicationDataAccess(iam.ManagedPolicy):
    """What the application servers need of the customer data, and nothing more: objects of
    ``buckets``, items of ``table``, IAM sign-in to ``database`` as ``database_user``, and the data
    key, which its key policy lets them use only through those services.

    A managed policy of the data stack, attached to ``role`` of the application stack: the data
    stack depends on the application stack already, so the grant adds no dependency back.
    """

    def __init__(self, scope: Construct, construct_id: str, *, role: iam.IRole, buckets: Sequence[s3.IBucket],
                 table: dynamodb.ITableV2, database: rds.DatabaseCluster, database_user: str,
                 key: DataClassKey) -> None:
        stack = cdk.Stack.of(scope)
        super().__init__(scope, construct_id, roles=[role],
                         description="Application servers: customer data objects, items and database sign-in")
        self.add_statements(
            iam.PolicyStatement(sid="Objects", actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                                resources=[bucket.arn_for_objects("*") for bucket in buckets]),
            iam.PolicyStatement(sid="ListObjects", actions=["s3:ListBucket"],
                                resources=[bucket.bucket_arn for bucket in buckets]),
            iam.PolicyStatement(sid="Items", actions=[
                "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
            ], resources=[table.table_arn]),
            iam.PolicyStatement(sid="DatabaseSignIn", actions=["rds-db:connect"], resources=[stack.format_arn(
                service="rds-db", resource="dbuser", arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                resource_name=f"{database.cluster_resource_identifier}/{database_user}")]),
            iam.PolicyStatement(sid="DataKeyThroughThoseServices",
                                actions=["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                                resources=[key.key_arn]),
        )
        acknowledge(
            self,
            "The servers read and write the objects of the two customer data buckets, whose keys the "
            "application chooses; the statement names only those buckets.",
            *(f"AwsSolutions-IAM5[Resource::<{stack.get_logical_id(bucket.node.default_child)}.Arn>/*]"
              for bucket in buckets),
        )
