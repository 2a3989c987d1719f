"""The account's audit trail (12.4.1, 18.1.3, 16.1.7): every API call in every region, with log file
validation, encrypted with the operations key, into the write-once log archive and CloudWatch Logs."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_iam as iam
from constructs import Construct

from constructs_lib.buckets import LogArchiveBucket
from constructs_lib.iam import ManagedPolicyRole
from constructs_lib.keys import DataClassKey
from constructs_lib.log_group import RetainedLogGroup


class AuditTrail(Construct):
    """A multi-region CloudTrail trail named ``name`` with log file validation, management events
    (read and write) of every region and global services, encrypted with ``key``, delivered to
    ``archive`` under ``AWSLogs/`` and streamed to ``log_group``.

    Built on the CloudFormation resource so that the CloudWatch Logs role's permissions live in a
    customer managed policy and the key and bucket policies name this trail alone.
    """

    def __init__(self, scope: Construct, construct_id: str, *, name: str, archive: LogArchiveBucket,
                 key: DataClassKey, log_group: RetainedLogGroup) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        trail_arn = stack.format_arn(service="cloudtrail", resource="trail", resource_name=name)
        self.role = ManagedPolicyRole(
            self, "LogsRole", assumed_by=iam.ServicePrincipal("cloudtrail.amazonaws.com"),
            description="CloudTrail: deliver the audit trail to CloudWatch Logs",
        )
        self.role.add_to_principal_policy(iam.PolicyStatement(
            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[log_group.log_group_arn],
        ))
        archive.add_to_resource_policy(iam.PolicyStatement(
            sid="CloudTrailChecksTheAcl", principals=[iam.ServicePrincipal("cloudtrail.amazonaws.com")],
            actions=["s3:GetBucketAcl"], resources=[archive.bucket_arn],
            conditions={"StringEquals": {"aws:SourceArn": trail_arn}},
        ))
        archive.add_to_resource_policy(iam.PolicyStatement(
            sid="CloudTrailDeliversThisTrail", principals=[iam.ServicePrincipal("cloudtrail.amazonaws.com")],
            actions=["s3:PutObject"], resources=[archive.arn_for_objects(f"AWSLogs/{stack.account}/*")],
            conditions={"StringEquals": {"aws:SourceArn": trail_arn, "s3:x-amz-acl": "bucket-owner-full-control"}},
        ))
        key.allow_service("cloudtrail.amazonaws.com", actions=("kms:GenerateDataKey*", "kms:DescribeKey"),
                          conditions={"StringEquals": {"aws:SourceArn": trail_arn}})
        self.trail = cloudtrail.CfnTrail(
            self, "Resource",
            trail_name=name,
            is_logging=True,
            s3_bucket_name=archive.bucket_name,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            kms_key_id=key.key_arn,
            cloud_watch_logs_log_group_arn=log_group.log_group_arn,
            cloud_watch_logs_role_arn=self.role.role_arn,
            event_selectors=[cloudtrail.CfnTrail.EventSelectorProperty(
                read_write_type="All", include_management_events=True)],
        )
        policy = archive.policy
        if policy is not None:
            self.trail.node.add_dependency(policy)
        self.trail.node.add_dependency(self.role.permissions)
        self.trail_arn = trail_arn
