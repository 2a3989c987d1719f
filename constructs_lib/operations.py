"""Privileged access (9.4.4): Session Manager is the only way onto a server, every session is
encrypted and logged for a year, and operators need MFA and get at most one hour."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from constructs_lib.acknowledgements import acknowledge
from constructs_lib.iam import HumanRole, ManagedPolicyRole
from constructs_lib.keys import DataClassKey
from constructs_lib.log_group import RetainedLogGroup
from nag_rules.standards import DEFAULT_SESSION_DOCUMENT, MAX_OPERATOR_SESSION_SECONDS

MAX_SESSION_MINUTES = MAX_OPERATOR_SESSION_SECONDS // 60
IDLE_SESSION_MINUTES = 20


class SessionManagerLogging(Construct):
    """The account's Session Manager preferences in this region (the document Session Manager uses
    when none is named, so every session is covered): session data encrypted with ``key``, every
    session streamed to a log group kept ``log_retention_days``.

    CloudFormation cannot adopt a preferences document saved earlier through the console: delete it
    (or import it) before the first deployment.
    """

    def __init__(self, scope: Construct, construct_id: str, *, key: DataClassKey, log_retention_days: int,
                 name: str = DEFAULT_SESSION_DOCUMENT) -> None:
        super().__init__(scope, construct_id)
        self.key = key
        self.log_group = RetainedLogGroup(self, "Logs", encryption_key=key, retention_days=log_retention_days)
        self.document = ssm.CfnDocument(
            self,
            "Preferences",
            name=name,
            document_type="Session",
            document_format="JSON",
            update_method="NewVersion",
            content={
                "schemaVersion": "1.0",
                "description": "Encrypted, logged shell sessions (ISO/IEC 27017 9.4.4)",
                "sessionType": "Standard_Stream",
                "inputs": {
                    "kmsKeyId": key.key_arn,
                    "cloudWatchLogGroupName": self.log_group.log_group_name,
                    "cloudWatchEncryptionEnabled": True,
                    "cloudWatchStreamingEnabled": True,
                    "s3BucketName": "",
                    "s3EncryptionEnabled": True,
                    "runAsEnabled": False,
                    "runAsDefaultUser": "",
                    "idleSessionTimeout": str(IDLE_SESSION_MINUTES),
                    "maxSessionDuration": str(MAX_SESSION_MINUTES),
                    "shellProfile": {"linux": "", "windows": ""},
                },
            },
        )
        stack = cdk.Stack.of(self)
        self.document_arn = stack.format_arn(service="ssm", resource="document", resource_name=name)

    def grant_instance(self, role: ManagedPolicyRole) -> None:
        """What the SSM agent on a server needs to encrypt and log its sessions."""
        self.key.grant_decrypt(role)
        self.log_group.grant_write(role)
        stack = cdk.Stack.of(self)
        role.add_to_principal_policy(iam.PolicyStatement(
            actions=["logs:DescribeLogGroups"],
            resources=[stack.format_arn(service="logs", resource="log-group", resource_name="*",
                                        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)],
        ))
        acknowledge(
            role.permissions,
            "The SSM agent calls logs:DescribeLogGroups to find the session log group before streaming, "
            "and that action cannot be limited to one log group.",
            f"AwsSolutions-IAM5[Resource::arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:*]",
        )


class OperatorRole(HumanRole):
    """The role operators assume to open sessions: one hour at most, only Session Manager sessions
    through ``sessions``' document on the servers of ``auto_scaling_group_name``, and only by

    - sessions of the IAM Identity Center permission set ``permission_set`` in this account (Identity
      Center enforces MFA at sign-in; the trust policy cannot show it, so the MFA rule's finding is
      acknowledged with that reason), or
    - MFA-authenticated IAM users of ``identity_account`` (``aws:MultiFactorAuthPresent``).
    """

    def __init__(self, scope: Construct, construct_id: str, *, sessions: SessionManagerLogging,
                 auto_scaling_group_name: str, permission_set: str | None = None,
                 identity_account: str | None = None) -> None:
        super().__init__(
            scope,
            construct_id,
            permission_set=permission_set,
            identity_account=identity_account,
            description="Operators: MFA, one hour, Session Manager only (ISO/IEC 27017 9.4.4)",
        )
        stack = cdk.Stack.of(self)
        instances = stack.format_arn(service="ec2", resource="instance", resource_name="*")
        self.add_to_policy(iam.PolicyStatement(
            sid="StartSessionsOnApplicationServersOnly",
            actions=["ssm:StartSession"],
            resources=[instances],
            conditions={"StringEquals": {"ssm:resourceTag/aws:autoscaling:groupName": auto_scaling_group_name},
                        "BoolIfExists": {"ssm:SessionDocumentAccessCheck": "true"}},
        ))
        self.add_to_policy(iam.PolicyStatement(
            sid="ThroughTheLoggedSessionDocumentOnly",
            actions=["ssm:StartSession"],
            resources=[sessions.document_arn],
            conditions={"BoolIfExists": {"ssm:SessionDocumentAccessCheck": "true"}},
        ))
        sessions_arn = stack.format_arn(service="ssm", resource="session", resource_name="*")
        self.add_to_policy(iam.PolicyStatement(
            sid="EndOrResumeOwnSessionsOnly",
            actions=["ssm:TerminateSession", "ssm:ResumeSession"],
            resources=[sessions_arn],
            conditions={"StringLike": {"ssm:resourceTag/aws:ssmmessages:session-id": ["${aws:userid}"]}},
        ))
        acknowledge(
            self.permissions,
            "Session IDs are generated when a session starts; the statement is limited to the operator's own "
            "sessions by the aws:ssmmessages:session-id tag Session Manager puts on each session.",
            f"AwsSolutions-IAM5[Resource::arn:{stack.partition}:ssm:{stack.region}:{stack.account}:session/*]",
        )
        acknowledge(
            self.permissions,
            "Auto Scaling replaces servers, so their instance IDs are unknown at deploy time; the "
            "statement is limited to the application group's servers by their aws:autoscaling:groupName tag.",
            f"AwsSolutions-IAM5[Resource::arn:{stack.partition}:ec2:{stack.region}:{stack.account}:instance/*]",
        )
        sessions.key.grant(self, "kms:GenerateDataKey")
