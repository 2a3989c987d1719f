"""Customer managed KMS keys, one per data class (8.1.1, 10.1.1)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from constructs_lib.data_classification import DataClass, classify
from constructs_lib.iam import AutoScalingServiceRole
from constructs_lib.stateful import KEEP


ADMIN_ACTIONS = (
    "kms:Describe*", "kms:Get*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Enable*", "kms:Disable*",
    "kms:Revoke*", "kms:Delete*", "kms:CreateAlias", "kms:TagResource", "kms:UntagResource",
    "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
)
"""What the account may do to the key itself through IAM: manage it, never use it (no CreateGrant either,
which would let a manager hand themselves the use of it)."""

DATA_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant",
                "kms:DescribeKey")

VOLUME_SCANNERS = ("malware-protection.guardduty.amazonaws.com", "agentless.inspector2.amazonaws.com")
"""Services whose service-linked roles scan EBS snapshots (CLD.12.4.5, 12.6.1)."""

SERVICES_BY_CLASS = {
    DataClass.CUSTOMER: ("rds", "dynamodb", "s3", "secretsmanager", "backup", "ec2"),
    DataClass.SERVICE_DERIVED: ("rds", "dynamodb", "s3", "secretsmanager", "backup"),
    DataClass.OPERATIONS: ("s3", "sns", "sqs", "secretsmanager", "ssm"),
}
"""The AWS services that store each class's data and so use its key on a caller's behalf."""


class DataClassKey(kms.Key):
    """A symmetric customer managed key for one data class.

    Its key policy lets the account manage the key through IAM, and use it only through the AWS
    services that store this class's data (``kms:ViaService``) or as one of this service's own roles
    (named ``<alias_prefix>-*``, as CloudFormation names the roles of this service's stacks); services
    that write on their own (CloudWatch Logs, log delivery, Auto Scaling) are added by the ``allow_*``
    methods. Any other principal of the account cannot decrypt, whatever its IAM policies say.

    Callers may pass any ``kms.Key`` property; rotation, retention, the alias and the key policy are
    applied last and cannot be turned off.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        data_class: DataClass,
        alias_prefix: str,
        **key_props: Any,
    ) -> None:
        key_props.setdefault("description", f"Encrypts {data_class.value} data")
        key_props.update(
            enable_key_rotation=True,
            rotation_period=cdk.Duration.days(365),
            removal_policy=KEEP,
            pending_window=cdk.Duration.days(30),
            alias=f"alias/{alias_prefix}/{data_class.value}",
            policy=_key_policy(cdk.Stack.of(scope), data_class, alias_prefix),
        )
        super().__init__(scope, construct_id, **key_props)
        self.data_class = data_class
        self._cloudwatch_logs_allowed = False
        self._auto_scaling_roles: set[str] = set()
        self._services: set[str] = set()
        self._volume_scanners = False
        classify(self, data_class)

    def allow_log_delivery(self, source_region: str) -> None:
        """Let AWS vended-log delivery (WAF and CloudFront logs from ``source_region``) write objects
        encrypted with this key, for this account only."""
        stack = cdk.Stack.of(self)
        self.add_to_resource_policy(iam.PolicyStatement(
            sid=f"AllowLogDeliveryFrom{source_region.replace('-', '').title()}",
            principals=[iam.ServicePrincipal("delivery.logs.amazonaws.com")],
            actions=["kms:GenerateDataKey*", "kms:Decrypt"],
            resources=["*"],
            conditions={
                "StringEquals": {"aws:SourceAccount": stack.account},
                "ArnLike": {"aws:SourceArn": f"arn:{stack.partition}:logs:{source_region}:{stack.account}:*"},
            },
        ))

    def allow_auto_scaling(self, role: AutoScalingServiceRole) -> None:
        """Let EC2 Auto Scaling, through ``role``, launch instances whose volumes use this key and
        publish to topics it encrypts.

        A service-linked role cannot be given IAM policies, so only the key policy can allow it."""
        if role.role_arn in self._auto_scaling_roles:
            return
        principal = iam.ArnPrincipal(role.role_arn)
        index = len(self._auto_scaling_roles) or ""
        self.add_to_resource_policy(iam.PolicyStatement(
            sid=f"AllowAutoScalingToUseTheKey{index}",
            principals=[principal],
            actions=["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
            resources=["*"],
        ))
        self.add_to_resource_policy(iam.PolicyStatement(
            sid=f"AllowAutoScalingToGrantTheKeyToEc2{index}",
            principals=[principal],
            actions=["kms:CreateGrant"],
            resources=["*"],
            conditions={"Bool": {"kms:GrantIsForAWSResource": "true"}},
        ))
        self.node.add_dependency(role)
        self._auto_scaling_roles.add(role.role_arn)

    def allow_service(self, service: str, actions: tuple[str, ...] = ("kms:Decrypt", "kms:GenerateDataKey*"),
                      conditions: dict[str, Any] | None = None, *, source_account: bool = True) -> None:
        """Let an AWS service principal of this account (``cloudwatch.amazonaws.com`` publishing alarms
        to an encrypted topic, ``cloudtrail.amazonaws.com``...) use the key, limited to this account by
        ``aws:SourceAccount`` unless the service does not send it (then ``conditions`` must limit it)."""
        if service in self._services:
            return
        if not source_account and not conditions:
            raise ValueError(f"allow_service({service!r}): without aws:SourceAccount, give conditions that limit it")
        stack = cdk.Stack.of(self)
        limits: dict[str, Any] = {"StringEquals": {"aws:SourceAccount": stack.account}} if source_account else {}
        for operator, values in (conditions or {}).items():
            limits[operator] = {**limits.get(operator, {}), **values}
        name = "".join(part.title() for part in service.split(".")[0].split("-"))
        self.add_to_resource_policy(iam.PolicyStatement(
            sid=f"Allow{name}OfThisAccount", principals=[iam.ServicePrincipal(service)], actions=list(actions),
            resources=["*"], conditions=limits,
        ))
        self._services.add(service)

    def allow_volume_scanners(self) -> None:
        """Let GuardDuty malware protection and Inspector's agentless scans read volumes encrypted with this
        key: their service-linked roles copy snapshots through grants. Named by ``aws:PrincipalArn`` rather
        than as principals, because KMS refuses a policy naming a role that does not exist yet."""
        if self._volume_scanners:
            return
        stack = cdk.Stack.of(self)
        roles = [f"arn:{stack.partition}:iam::{stack.account}:role/aws-service-role/{service}/*"
                 for service in VOLUME_SCANNERS]
        self.add_to_resource_policy(iam.PolicyStatement(
            sid="UseByVolumeScanners", principals=[iam.AccountRootPrincipal()],
            actions=["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext",
                     "kms:ReEncrypt*"],
            resources=["*"], conditions={"ArnLike": {"aws:PrincipalArn": roles}},
        ))
        self._volume_scanners = True

    def allow_cloudwatch_logs(self) -> None:
        """Let CloudWatch Logs of this account and region encrypt log groups with the key."""
        if self._cloudwatch_logs_allowed:
            return
        stack = cdk.Stack.of(self)
        self.add_to_resource_policy(iam.PolicyStatement(
            sid="AllowCloudWatchLogsOfThisAccountAndRegion",
            principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
            actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            resources=["*"],
            conditions={"ArnLike": {
                "kms:EncryptionContext:aws:logs:arn":
                    f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:*",
            }},
        ))
        self._cloudwatch_logs_allowed = True


def _key_policy(stack: cdk.Stack, data_class: DataClass, alias_prefix: str) -> iam.PolicyDocument:
    account = iam.AccountRootPrincipal()
    services = [f"{service}.{stack.region}.amazonaws.com" for service in SERVICES_BY_CLASS[data_class]]
    return iam.PolicyDocument(statements=[
        iam.PolicyStatement(sid="KeyAdministrationThroughIam", principals=[account], actions=list(ADMIN_ACTIONS),
                            resources=["*"]),
        iam.PolicyStatement(
            sid="UseThroughTheServicesThatStoreThisClass", principals=[account], actions=list(DATA_ACTIONS),
            resources=["*"],
            conditions={"StringEquals": {"kms:CallerAccount": stack.account, "kms:ViaService": services}},
        ),
        iam.PolicyStatement(
            sid="UseByThisServicesOwnRoles", principals=[account], actions=list(DATA_ACTIONS), resources=["*"],
            conditions={"ArnLike": {
                "aws:PrincipalArn": f"arn:{stack.partition}:iam::{stack.account}:role/{alias_prefix}-*"}},
        ),
    ])


class DataClassKeys(Construct):
    """The three keys that keep customer, service-derived and operations data apart."""

    def __init__(self, scope: Construct, construct_id: str, *, alias_prefix: str) -> None:
        super().__init__(scope, construct_id)
        self.customer = DataClassKey(self, "Customer", data_class=DataClass.CUSTOMER, alias_prefix=alias_prefix)
        self.service_derived = DataClassKey(
            self, "ServiceDerived", data_class=DataClass.SERVICE_DERIVED, alias_prefix=alias_prefix,
        )
        self.operations = DataClassKey(
            self, "Operations", data_class=DataClass.OPERATIONS, alias_prefix=alias_prefix,
        )

    def for_class(self, data_class: DataClass) -> DataClassKey:
        return {
            DataClass.CUSTOMER: self.customer,
            DataClass.SERVICE_DERIVED: self.service_derived,
            DataClass.OPERATIONS: self.operations,
        }[data_class]
