"""Security monitoring of the account: attack monitoring (CLD.12.4.5), vulnerability management (12.6.1)
and incident notification (16.1.1, 16.1.2)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_config as config
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_guardduty as guardduty
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_securityhub as securityhub
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_ssm as ssm
from aws_cdk import custom_resources as cr
from constructs import Construct

from constructs_lib.acknowledgements import acknowledge
from constructs_lib.custom_resources import acknowledge_custom_resource_function
from constructs_lib.data_classification import classify
from constructs_lib.iam import ManagedPolicyRole
from constructs_lib.keys import DataClassKey
from constructs_lib.log_group import RetainedLogGroup

GUARDDUTY_FEATURES = ("S3_DATA_EVENTS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS")
# RUNTIME_MONITORING stays off: it needs the GuardDuty security agent on every server.

SECURITY_STANDARDS = (
    "aws-foundational-security-best-practices/v/1.0.0",
    "cis-aws-foundations-benchmark/v/5.0.0",
)
INSPECTOR_RESOURCE_TYPES = ("EC2", "ECR")
INSPECTOR_SERVICE_LINKED_ROLES = {
    "inspector2.amazonaws.com": "AWSServiceRoleForAmazonInspector2",
    "agentless.inspector2.amazonaws.com": "AWSServiceRoleForAmazonInspector2Agentless",
}
CONFIG_SERVICE = "config.amazonaws.com"
CONFIG_SERVICE_ROLE = "AWSServiceRoleForConfig"


class ThreatDetection(Construct):
    """The account's GuardDuty detector in this region, publishing findings every 15 minutes, with S3
    data events, EBS malware scans and RDS login events.

    GuardDuty allows one detector per account and region: deploy this once, and import (or delete) a
    detector enabled earlier through the console before the first deployment.
    """

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        # Features only: AWS rejects a detector that also sets the legacy DataSources.
        self.detector = guardduty.CfnDetector(
            self, "Detector", enable=True, finding_publishing_frequency="FIFTEEN_MINUTES",
            features=[guardduty.CfnDetector.CFNFeatureConfigurationProperty(name=name, status="ENABLED")
                      for name in GUARDDUTY_FEATURES],
        )
        self.detector_id = self.detector.ref


class IncidentRouting(Construct):
    """EventBridge rules on the default bus that mail ``topic`` a line per sign of an incident: GuardDuty
    findings of medium severity or above, new active Security Hub findings rated high or critical, and
    failed, aborted or expired AWS Backup and copy jobs.

    EventBridge publishes through ``role``, which may use the topic's key through SNS; with
    ``dead_letter_key``, events it cannot deliver wait 14 days in an encrypted queue, ``dead_letters``.
    """

    def __init__(self, scope: Construct, construct_id: str, *, topic: sns.ITopic,
                 dead_letter_key: DataClassKey | None = None) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        self.role = ManagedPolicyRole(
            self, "Role", description="EventBridge: publish incident notifications",
            assumed_by=iam.ServicePrincipal("events.amazonaws.com").with_conditions(
                {"StringEquals": {"aws:SourceAccount": stack.account}}),
        )
        acknowledge(self.role.permissions, "SNS needs GenerateDataKey and GenerateDataKeyWithoutPlaintext to "
                                           "encrypt each notification; the statement names only the topic's key.",
                    "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]")
        self.dead_letters: sqs.Queue | None = None
        if dead_letter_key is not None:
            self.dead_letters = sqs.Queue(
                self, "DeadLetters", encryption=sqs.QueueEncryption.KMS, encryption_master_key=dead_letter_key,
                enforce_ssl=True, retention_period=cdk.Duration.days(14),
            )
            classify(self.dead_letters, dead_letter_key.data_class)
            acknowledge(self.dead_letters, "This queue is itself the dead-letter queue of the notification "
                                           "rules; a dead-letter queue for it would only move the same events.",
                        "AwsSolutions-SQS3")
        field = events.EventField.from_path
        self.rules = {
            "GuardDutyFindings": self._route(
                "GuardDutyFindings", topic,
                events.EventPattern(source=["aws.guardduty"], detail_type=["GuardDuty Finding"],
                                    detail={"severity": [{"numeric": [">=", 4]}]}),
                f"GuardDuty finding (severity {field('$.detail.severity')}) in {field('$.account')} "
                f"{field('$.region')}: {field('$.detail.title')} [{field('$.detail.type')}, "
                f"id {field('$.detail.id')}]",
            ),
            "SecurityHubFindings": self._route(
                "SecurityHubFindings", topic,
                events.EventPattern(source=["aws.securityhub"], detail_type=["Security Hub Findings - Imported"],
                                    detail={"findings": {"Severity": {"Label": ["CRITICAL", "HIGH"]},
                                                         "Workflow": {"Status": ["NEW"]},
                                                         "RecordState": ["ACTIVE"]}}),
                f"Security Hub {field('$.detail.findings[0].Severity.Label')} finding in {field('$.account')} "
                f"{field('$.region')}: {field('$.detail.findings[0].Title')} "
                f"[{field('$.detail.findings[0].Resources[0].Id')}]",
            ),
            "BackupFailures": self._route(
                "BackupFailures", topic,
                events.EventPattern(source=["aws.backup"],
                                    detail_type=["Backup Job State Change", "Copy Job State Change"],
                                    detail={"state": ["FAILED", "ABORTED", "EXPIRED"]}),
                f"AWS Backup: {field('$.detail-type')} {field('$.detail.state')} in {field('$.account')} "
                f"{field('$.region')} for {field('$.detail.resourceArn')}: {field('$.detail.statusMessage')}",
            ),
        }

    def _route(self, rule_id: str, topic: sns.ITopic, pattern: events.EventPattern, line: str) -> events.Rule:
        rule = events.Rule(self, rule_id, event_pattern=pattern,
                           description=f"{rule_id}: mail the security contacts (ISO/IEC 27017 16.1.2)")
        rule.add_target(targets.SnsTopic(
            topic, role=self.role, message=events.RuleTargetInput.from_text(line),
            dead_letter_queue=self.dead_letters,
        ))
        return rule


class SecurityPosture(Construct):
    """Security Hub with the AWS Foundational Security Best Practices and CIS AWS Foundations v5.0.0
    standards, the AWS Config recorder they need (every supported resource, global ones included)
    delivering a daily snapshot to ``delivery_bucket`` encrypted with ``delivery_key``, and Amazon
    Inspector scanning EC2 instances and ECR images.

    Each of these exists once per account and region: deploy this once, and delete (or import) a hub or
    recorder enabled earlier through the console before the first deployment.
    """

    def __init__(self, scope: Construct, construct_id: str, *, delivery_bucket: s3.IBucket,
                 delivery_key: DataClassKey) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        self.hub = securityhub.CfnHub(self, "Hub", enable_default_standards=False,
                                      control_finding_generator="SECURITY_CONTROL", auto_enable_controls=True)
        self.standards = []
        for standard in SECURITY_STANDARDS:
            resource = securityhub.CfnStandard(
                self, standard.split("/")[0].title().replace("-", ""),
                standards_arn=f"arn:{stack.partition}:securityhub:{stack.region}::standards/{standard}",
            )
            resource.node.add_dependency(self.hub)
            self.standards.append(resource)
        self._deployment_role = ManagedPolicyRole(
            self, "DeploymentCallsRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Deployment-time function: turns Amazon Inspector on, creates the Config service-linked role")
        self._deployment_logs = RetainedLogGroup(self, "DeploymentCallsLogs", encryption_key=delivery_key)
        self._deployment_logs.grant_write(self._deployment_role)
        self._record_configuration(delivery_bucket, delivery_key)
        self._enable_inspector()

    def _record_configuration(self, bucket: s3.IBucket, key: DataClassKey) -> None:
        """Config records through its service-linked role (Security Hub control Config.1 requires it), which
        the bucket and key policies let deliver to ``bucket`` under AWSLogs/<account>/Config/ only."""
        stack = cdk.Stack.of(self)
        self.config_service_role = self._ensure_service_linked_role(CONFIG_SERVICE, CONFIG_SERVICE_ROLE)
        only_this_account = {"StringEquals": {"aws:SourceAccount": stack.account}}
        config_principal = iam.ServicePrincipal(CONFIG_SERVICE)
        bucket.add_to_resource_policy(iam.PolicyStatement(
            sid="ConfigChecksTheBucket", principals=[config_principal], actions=["s3:GetBucketAcl", "s3:ListBucket"],
            resources=[bucket.bucket_arn], conditions=only_this_account,
        ))
        bucket.add_to_resource_policy(iam.PolicyStatement(
            sid="ConfigDeliversSnapshotsAndHistory", principals=[config_principal], actions=["s3:PutObject"],
            resources=[bucket.arn_for_objects(f"AWSLogs/{stack.account}/Config/*")],
            conditions={"StringEquals": {"aws:SourceAccount": stack.account,
                                         "s3:x-amz-acl": "bucket-owner-full-control"}},
        ))
        key.allow_service(CONFIG_SERVICE, actions=("kms:Decrypt", "kms:GenerateDataKey"))
        self.recorder = config.CfnConfigurationRecorder(
            self, "Recorder",
            role_arn=f"arn:{stack.partition}:iam::{stack.account}:role/aws-service-role/{CONFIG_SERVICE}/"
                     f"{CONFIG_SERVICE_ROLE}",
            recording_group=config.CfnConfigurationRecorder.RecordingGroupProperty(
                all_supported=True, include_global_resource_types=True),
        )
        self.recorder.node.add_dependency(self.config_service_role)
        self.delivery_channel = config.CfnDeliveryChannel(
            self, "DeliveryChannel", s3_bucket_name=bucket.bucket_name, s3_kms_key_arn=key.key_arn,
            config_snapshot_delivery_properties=config.CfnDeliveryChannel.ConfigSnapshotDeliveryPropertiesProperty(
                delivery_frequency="TwentyFour_Hours"),
        )
        # Config checks it may write to the bucket when the channel is created.
        self.delivery_channel.node.add_dependency(self.recorder)
        if bucket.policy is not None:
            self.delivery_channel.node.add_dependency(bucket.policy)

    def _ensure_service_linked_role(self, service: str, role_name: str) -> cr.AwsCustomResource:
        """A service-linked role that may already exist (an earlier Config set-up made it): creating it
        again fails with InvalidInput, which is the one error ignored."""
        stack = cdk.Stack.of(self)
        self._deployment_role.add_to_principal_policy(iam.PolicyStatement(
            sid=f"Create{role_name}", actions=["iam:CreateServiceLinkedRole"],
            resources=[f"arn:{stack.partition}:iam::{stack.account}:role/aws-service-role/{service}/{role_name}"],
            conditions={"StringEquals": {"iam:AWSServiceName": service}},
        ))
        create = cr.AwsSdkCall(service="IAM", action="createServiceLinkedRole", parameters={"AWSServiceName": service},
                               physical_resource_id=cr.PhysicalResourceId.of(role_name),
                               ignore_error_codes_matching="InvalidInput")
        return cr.AwsCustomResource(self, f"{role_name}Exists", on_create=create, install_latest_aws_sdk=False,
                                    role=self._deployment_role, log_group=self._deployment_logs)

    def _enable_inspector(self) -> None:
        stack = cdk.Stack.of(self)
        enable = cr.AwsSdkCall(
            service="Inspector2", action="enable",
            parameters={"resourceTypes": list(INSPECTOR_RESOURCE_TYPES), "accountIds": [stack.account]},
            physical_resource_id=cr.PhysicalResourceId.of(f"inspector2-{stack.account}"),
        )
        role = self._deployment_role
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="EnableInspector", actions=["inspector2:Enable"], resources=["*"]))
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="CreateInspectorServiceLinkedRoles", actions=["iam:CreateServiceLinkedRole"],
            resources=[f"arn:{stack.partition}:iam::{stack.account}:role/aws-service-role/{service}/{name}"
                       for service, name in INSPECTOR_SERVICE_LINKED_ROLES.items()],
            conditions={"StringEquals": {"iam:AWSServiceName": list(INSPECTOR_SERVICE_LINKED_ROLES)}},
        ))
        acknowledge(role.permissions, "inspector2:Enable acts on the calling account and supports no resource-level "
                                      "permissions, so its statement can only name every resource.",
                    "AwsSolutions-IAM5[Resource::*]")
        logs = self._deployment_logs
        # No on_delete: removing this stack leaves scanning on, the safe side of a mistake.
        self.inspector = cr.AwsCustomResource(
            self, "Inspector", on_create=enable, on_update=enable, install_latest_aws_sdk=False, role=role,
            log_group=logs,
        )
        acknowledge_custom_resource_function(stack)

class PatchManagement(Construct):
    """Weekly patching of the servers of ``auto_scaling_group_name`` (12.6.1): a patch baseline for
    Amazon Linux 2023 approving critical and important security and bug-fix updates 7 days after
    release, and a maintenance window (``schedule``, UTC; default Sunday 18:00 = Monday 03:00 JST) that
    installs them on half of the servers at a time, rebooting where needed.

    The baseline becomes the account's default for Amazon Linux 2023 in this region, so every AL2023
    instance patched without a patch group follows it.
    """

    def __init__(self, scope: Construct, construct_id: str, *, auto_scaling_group_name: str,
                 schedule: str = "cron(0 18 ? * SUN *)") -> None:
        super().__init__(scope, construct_id)
        name = cdk.Names.unique_resource_name(self, max_length=100, separator="-")
        self.baseline = ssm.CfnPatchBaseline(
            self, "Baseline", name=name, operating_system="AMAZON_LINUX_2023", default_baseline=True,
            description="Critical and important security and bug-fix updates, 7 days after release",
            approval_rules=ssm.CfnPatchBaseline.RuleGroupProperty(patch_rules=[
                ssm.CfnPatchBaseline.RuleProperty(
                    approve_after_days=7, compliance_level=level,
                    patch_filter_group=ssm.CfnPatchBaseline.PatchFilterGroupProperty(patch_filters=[
                        ssm.CfnPatchBaseline.PatchFilterProperty(key="CLASSIFICATION", values=["Security", "Bugfix"]),
                        ssm.CfnPatchBaseline.PatchFilterProperty(key="SEVERITY", values=[severity]),
                    ]),
                ) for severity, level in (("Critical", "CRITICAL"), ("Important", "HIGH"))
            ]),
        )
        self.window = ssm.CfnMaintenanceWindow(
            self, "Window", name=name, schedule=schedule, duration=3, cutoff=1,
            allow_unassociated_targets=False, description="Weekly patching of the application servers",
        )
        self.target = ssm.CfnMaintenanceWindowTarget(
            self, "Servers", window_id=self.window.ref, resource_type="INSTANCE",
            targets=[ssm.CfnMaintenanceWindowTarget.TargetsProperty(
                key="tag:aws:autoscaling:groupName", values=[auto_scaling_group_name])],
        )
        self.task = ssm.CfnMaintenanceWindowTask(
            self, "Patch", window_id=self.window.ref, task_type="RUN_COMMAND", task_arn="AWS-RunPatchBaseline",
            priority=1, max_concurrency="50%", max_errors="25%", cutoff_behavior="CANCEL_TASK",
            targets=[ssm.CfnMaintenanceWindowTask.TargetProperty(key="WindowTargetIds", values=[self.target.ref])],
            task_invocation_parameters=ssm.CfnMaintenanceWindowTask.TaskInvocationParametersProperty(
                maintenance_window_run_command_parameters=ssm.CfnMaintenanceWindowTask
                .MaintenanceWindowRunCommandParametersProperty(
                    parameters={"Operation": ["Install"], "RebootOption": ["RebootIfNeeded"]}),
            ),
        )



MALWARE_RULE_PREFIX = "DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3"
"""The EventBridge rule GuardDuty creates, and manages itself, for each protected bucket."""


class S3MalwareProtection(Construct):
    """GuardDuty Malware Protection for S3 on ``buckets`` (CLD.12.4.5): every new object is scanned and tagged
    with the verdict, through a role with the permissions GuardDuty documents for a protected bucket and the
    bucket's key only through S3."""

    def __init__(self, scope: Construct, construct_id: str, *, buckets: list[s3.IBucket], key: DataClassKey) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        service = "malware-protection-plan.guardduty.amazonaws.com"
        self.role = ManagedPolicyRole(
            self, "Role", assumed_by=iam.ServicePrincipal(service).with_conditions({
                "StringEquals": {"aws:SourceAccount": stack.account}}),
            description="GuardDuty Malware Protection for S3: scan and tag new objects of the customer buckets",
        )
        rules = stack.format_arn(service="events", resource="rule", resource_name=f"{MALWARE_RULE_PREFIX}*")
        for statement in (
            iam.PolicyStatement(sid="ManageItsEventBridgeRule", resources=[rules],
                                actions=["events:PutRule", "events:DeleteRule", "events:PutTargets",
                                         "events:RemoveTargets"],
                                conditions={"StringLike": {"events:ManagedBy": service}}),
            iam.PolicyStatement(sid="WatchItsEventBridgeRule", resources=[rules],
                                actions=["events:DescribeRule", "events:ListTargetsByRule"]),
            iam.PolicyStatement(sid="ReadAndTagObjects", resources=[b.arn_for_objects("*") for b in buckets],
                                actions=["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging",
                                         "s3:GetObjectVersionTagging", "s3:PutObjectTagging",
                                         "s3:PutObjectVersionTagging"]),
            iam.PolicyStatement(sid="WriteTheValidationObject", actions=["s3:PutObject"],
                                resources=[b.arn_for_objects("malware-protection-resource-validation-object")
                                           for b in buckets]),
            iam.PolicyStatement(sid="SendObjectEventsToEventBridge", resources=[b.bucket_arn for b in buckets],
                                actions=["s3:PutBucketNotification", "s3:GetBucketNotification", "s3:ListBucket"]),
            iam.PolicyStatement(sid="ReadObjectsThroughS3", actions=["kms:Decrypt", "kms:GenerateDataKey"],
                                resources=[key.key_arn],
                                conditions={"StringEquals": {"kms:ViaService": f"s3.{stack.region}.amazonaws.com"}}),
        ):
            self.role.add_to_principal_policy(statement)
        acknowledge(
            self.role.permissions,
            "GuardDuty names the EventBridge rule it creates for each protected bucket with this fixed prefix and a "
            "generated suffix, and scans every new object of the protected buckets.",
            f"AwsSolutions-IAM5[Resource::arn:{stack.partition}:events:{stack.region}:{stack.account}:rule/"
            f"{MALWARE_RULE_PREFIX}*]",
            *(f"AwsSolutions-IAM5[Resource::<{stack.get_logical_id(b.node.default_child)}.Arn>/*]"
              for b in buckets if isinstance(b.node.default_child, cdk.CfnElement)),
        )
        self.plans = []
        for bucket in buckets:
            plan = guardduty.CfnMalwareProtectionPlan(
                self, bucket.node.id,
                role=self.role.role_arn,
                protected_resource=guardduty.CfnMalwareProtectionPlan.CFNProtectedResourceProperty(
                    s3_bucket=guardduty.CfnMalwareProtectionPlan.S3BucketProperty(bucket_name=bucket.bucket_name)),
                actions=guardduty.CfnMalwareProtectionPlan.CFNActionsProperty(
                    tagging=guardduty.CfnMalwareProtectionPlan.CFNTaggingProperty(status="ENABLED")),
            )
            plan.node.add_dependency(self.role.permissions)
            self.plans.append(plan)
