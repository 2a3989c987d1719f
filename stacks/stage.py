"""One environment as a CDK stage: the service's stacks, the account's conformance pack and the four nag packs."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_config as config
from aws_cdk import aws_iam as iam
from constructs import Construct

from config import EnvironmentSettings
from config.settings import NetworkLink
from constructs_lib import ClassifiedBucket, acknowledge
from constructs_lib.buckets import NO_REPLICATION_REASON, REPLICATION_RULES
from constructs_lib.keys import DataClassKey
from stacks.approvals import approve_network_links
from stacks.environment_stack import EnvironmentStack
from stacks.service import build_stacks

CONFORMS_ROLE = "aws-service-role/config-conforms.amazonaws.com/AWSServiceRoleForConfigConforms"
"""The service-linked role AWS Config deploys conformance packs and delivers their results with."""


class ConformancePackStack(EnvironmentStack):
    """The ISO/IEC 27017 conformance pack (compliance/conformance.py): AWS Config's managed rules watch the
    deployed account between deployments, and deliver their results to an encrypted bucket in Japan."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: EnvironmentSettings, key: DataClassKey,
                 access_logs: Any, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, settings=settings, name="conformance",
                         description="tomoLinks ISO/IEC 27017 conformance pack and its delivery bucket",
                         bounds_roles=False, **kwargs)
        from compliance.conformance import conformance_pack_template  # compliance imports the stacks' libraries

        role_arn = self.format_arn(service="iam", region="", resource="role", resource_name=CONFORMS_ROLE)
        # AWS Config requires the delivery bucket's name to start with awsconfigconforms; the service-linked role's
        # own policy lets it write to such buckets of its account, so the bucket policy needs no statement for it.
        bucket_name = f"awsconfigconforms-{settings.name_prefix}-{settings.account}"
        self.delivery = ClassifiedBucket(self, "Delivery", encryption_key=key, access_logs=access_logs,
                                         bucket_name=bucket_name)
        acknowledge(self.delivery, NO_REPLICATION_REASON, *REPLICATION_RULES)
        # AWS creates the role at the first conformance pack, after the key exists: a key policy naming it as
        # principal would be rejected, so the account is the principal and the role a condition.
        key.add_to_resource_policy(iam.PolicyStatement(
            sid="ConformancePackDelivery", principals=[iam.AccountRootPrincipal()],
            actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=["*"],
            conditions={"ArnEquals": {"aws:PrincipalArn": role_arn},
                        "StringEquals": {"kms:ViaService": f"s3.{self.region}.amazonaws.com",
                                         "kms:EncryptionContext:aws:s3:arn": f"arn:{self.partition}:s3:::{bucket_name}"}}))
        self.pack = config.CfnConformancePack(
            self, "Pack", conformance_pack_name=f"{settings.name_prefix}-iso27017",
            template_body=json.dumps(conformance_pack_template(settings), separators=(",", ":")),
            delivery_s3_bucket=self.delivery.bucket_name)


class ServiceStage(cdk.Stage):
    """The service's stacks for one environment (as app.py builds them) and its conformance pack.

    The nag packs belong on the app (``stacks.service.register_packs(app)``), not here: CDK (2.275) hands every
    validation plugin the root app, so the packs check the whole app wherever they are registered, and it never
    runs the plugins of a stage nested in a stack (CDK Pipelines' stages), which would pass unchecked."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: EnvironmentSettings, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, env=cdk.Environment(account=settings.account, region=settings.region),
                         **kwargs)
        self.settings = settings
        self.stacks = build_stacks(self, settings)
        foundation = self.stacks["Foundation"]
        self.conformance = ConformancePackStack(self, "Conformance", settings=settings,
                                                key=foundation.keys.operations,  # type: ignore[attr-defined]
                                                access_logs=foundation.access_logs)  # type: ignore[attr-defined]
        if "Security" in self.stacks:
            self.conformance.add_stack_dependency(self.stacks["Security"], "a conformance pack needs the Config recorder")
        self.stacks["Conformance"] = self.conformance
        approve_network_links(self, [NetworkLink(path=f"{self.node.path}/{link.path}", reason=link.reason)
                                     for link in settings.network_links])
