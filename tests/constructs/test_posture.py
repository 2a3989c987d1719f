import json
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import assertions as A
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks

import nag_rules
from constructs_lib import AccessLogsBucket, ClassifiedBucket, DataClass, DataClassKey, NotificationTopic
from constructs_lib.iam import PermissionsBoundary, apply_permissions_boundary
from constructs_lib.posture import IncidentRouting, PatchManagement, SecurityPosture, ThreatDetection
from tests.helpers import TOKYO, new_app, new_stack

KEY = {"Fn::GetAtt": [A.Match.string_like_regexp("^Key"), "Arn"]}


def _key(stack):
    return DataClassKey(stack, "Key", data_class=DataClass.OPERATIONS, alias_prefix="p")


def _routing(stack, **kwargs):
    key = _key(stack)
    topic = NotificationTopic(stack, "Topic", key=key, emails=["security@example.com"])
    return IncidentRouting(stack, "Incidents", topic=topic, **kwargs), key


def _posture(stack):
    key = _key(stack)
    bucket = ClassifiedBucket(stack, "Logs", encryption_key=key, access_logs=AccessLogsBucket(stack, "Access"))
    return SecurityPosture(stack, "Posture", delivery_bucket=bucket, delivery_key=key), bucket


def _rule_with(template, source):
    (rule,) = [r for r in template.find_resources("AWS::Events::Rule").values()
               if r["Properties"]["EventPattern"]["source"] == [source]]
    return rule["Properties"]


def test_detector_is_enabled_with_s3_malware_and_rds_protection_and_no_legacy_data_sources():
    stack = new_stack()
    ThreatDetection(stack, "Threats")
    template = A.Template.from_stack(stack)
    template.has_resource_properties("AWS::GuardDuty::Detector", {
        "Enable": True,
        "FindingPublishingFrequency": "FIFTEEN_MINUTES",
        "Features": [{"Name": "S3_DATA_EVENTS", "Status": "ENABLED"},
                     {"Name": "EBS_MALWARE_PROTECTION", "Status": "ENABLED"},
                     {"Name": "RDS_LOGIN_EVENTS", "Status": "ENABLED"}],
        "DataSources": A.Match.absent(),
    })
    assert "RUNTIME_MONITORING" not in json.dumps(template.to_json())


def test_guardduty_findings_of_medium_severity_and_above_are_mailed_as_one_line():
    stack = new_stack()
    _routing(stack)
    rule = _rule_with(A.Template.from_stack(stack), "aws.guardduty")
    assert rule["EventPattern"] == {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"],
                                    "detail": {"severity": [{"numeric": [">=", 4]}]}}
    (target,) = rule["Targets"]
    assert target["Arn"]["Ref"].startswith("Topic")
    transformer = target["InputTransformer"]
    assert transformer["InputPathsMap"]["detail-severity"] == "$.detail.severity"
    assert transformer["InputPathsMap"]["detail-title"] == "$.detail.title"
    assert transformer["InputTemplate"].startswith('"GuardDuty finding (severity <detail-severity>) in <account>')


def test_new_active_security_hub_findings_rated_high_or_critical_are_mailed():
    stack = new_stack()
    _routing(stack)
    rule = _rule_with(A.Template.from_stack(stack), "aws.securityhub")
    assert rule["EventPattern"] == {
        "source": ["aws.securityhub"], "detail-type": ["Security Hub Findings - Imported"],
        "detail": {"findings": {"Severity": {"Label": ["CRITICAL", "HIGH"]}, "Workflow": {"Status": ["NEW"]},
                                "RecordState": ["ACTIVE"]}},
    }
    transformer = rule["Targets"][0]["InputTransformer"]
    assert "$.detail.findings[0].Title" in transformer["InputPathsMap"].values()
    assert transformer["InputTemplate"].startswith('"Security Hub <detail-findings-0--Severity-Label> finding')


def test_failed_aborted_or_expired_backup_and_copy_jobs_are_mailed():
    stack = new_stack()
    _routing(stack)
    rule = _rule_with(A.Template.from_stack(stack), "aws.backup")
    assert rule["EventPattern"] == {"source": ["aws.backup"],
                                    "detail-type": ["Backup Job State Change", "Copy Job State Change"],
                                    "detail": {"state": ["FAILED", "ABORTED", "EXPIRED"]}}
    paths = rule["Targets"][0]["InputTransformer"]["InputPathsMap"]
    assert paths["detail-type"] == "$.detail-type" and paths["detail-state"] == "$.detail.state"


def test_eventbridge_publishes_through_its_own_role_so_neither_topic_nor_key_policy_names_it():
    stack = new_stack()
    _routing(stack)
    template = A.Template.from_stack(stack)
    for rule in template.find_resources("AWS::Events::Rule").values():
        (target,) = rule["Properties"]["Targets"]
        assert target["Arn"]["Ref"].startswith("Topic")
        assert target["RoleArn"]["Fn::GetAtt"][0].startswith("IncidentsRole")
        assert "DeadLetterConfig" not in target
    template.has_resource_properties("AWS::IAM::Role", {"AssumeRolePolicyDocument": {"Statement": [
        A.Match.object_like({"Principal": {"Service": "events.amazonaws.com"},
                             "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}})]}})
    template.has_resource_properties("AWS::IAM::ManagedPolicy", {"PolicyDocument": {"Statement": [
        {"Action": "sns:Publish", "Effect": "Allow", "Resource": {"Ref": A.Match.string_like_regexp("^Topic")}},
        {"Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Effect": "Allow", "Resource": KEY},
    ]}})
    template.resource_count_is("AWS::IAM::Policy", 0)
    template.resource_count_is("AWS::SQS::Queue", 0)
    policies = json.dumps([template.find_resources("AWS::SNS::TopicPolicy"), template.find_resources("AWS::KMS::Key")])
    assert "events.amazonaws.com" not in policies


def test_undeliverable_notifications_wait_in_an_encrypted_tls_only_queue_only_the_rules_may_fill():
    stack = new_stack()
    routing, _ = _routing(stack, dead_letter_key=DataClassKey(stack, "KeyForQueue", data_class=DataClass.OPERATIONS,
                                                             alias_prefix="q"))
    template = A.Template.from_stack(stack)
    template.has_resource_properties("AWS::SQS::Queue", {
        "KmsMasterKeyId": {"Fn::GetAtt": [A.Match.string_like_regexp("^KeyForQueue"), "Arn"]},
        "MessageRetentionPeriod": 14 * 24 * 3600,
        "Tags": [{"Key": "DataClassification", "Value": "operations"}],
    })
    (policy,) = template.find_resources("AWS::SQS::QueuePolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
               for s in statements)
    senders = [s for s in statements if s["Effect"] == "Allow"]
    assert len(senders) == 3 and all(s["Principal"] == {"Service": "events.amazonaws.com"}
                                     and s["Action"] == "sqs:SendMessage" and "aws:SourceArn" in s["Condition"]["ArnEquals"]
                                     for s in senders)
    for rule in template.find_resources("AWS::Events::Rule").values():
        (target,) = rule["Properties"]["Targets"]
        assert target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0].startswith("IncidentsDeadLetters")
    assert set(routing.rules) == {"GuardDutyFindings", "SecurityHubFindings", "BackupFailures"}


def test_security_hub_runs_fsbp_and_cis_v5_and_nothing_by_default():
    stack = new_stack()
    _posture(stack)
    template = A.Template.from_stack(stack)
    template.has_resource_properties("AWS::SecurityHub::Hub", {
        "EnableDefaultStandards": False, "ControlFindingGenerator": "SECURITY_CONTROL", "AutoEnableControls": True})
    standards = template.find_resources("AWS::SecurityHub::Standard")
    assert sorted(s["Properties"]["StandardsArn"] for s in standards.values()) == [
        "arn:aws:securityhub:ap-northeast-1::standards/aws-foundational-security-best-practices/v/1.0.0",
        "arn:aws:securityhub:ap-northeast-1::standards/cis-aws-foundations-benchmark/v/5.0.0",
    ]
    assert all(len(s["DependsOn"]) == 1 and s["DependsOn"][0].startswith("PostureHub") for s in standards.values())


def test_config_records_every_resource_through_its_service_linked_role_and_delivers_daily():
    stack = new_stack()
    _posture(stack)
    template = A.Template.from_stack(stack)
    (recorder,) = template.find_resources("AWS::Config::ConfigurationRecorder").values()
    assert recorder["Properties"] == {
        "RecordingGroup": {"AllSupported": True, "IncludeGlobalResourceTypes": True},
        "RoleARN": "arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"}
    assert recorder["DependsOn"][0].startswith("PostureAWSServiceRoleForConfigExists")
    (channel,) = template.find_resources("AWS::Config::DeliveryChannel").values()
    assert channel["Properties"]["S3BucketName"]["Ref"].startswith("Logs")
    assert channel["Properties"]["S3KmsKeyArn"]["Fn::GetAtt"][0].startswith("Key")
    assert channel["Properties"]["ConfigSnapshotDeliveryProperties"] == {"DeliveryFrequency": "TwentyFour_Hours"}
    assert {d[:len("PostureRecorder")] for d in channel["DependsOn"]} >= {"PostureRecorder"}
    assert any(d.startswith("LogsPolicy") for d in channel["DependsOn"])


def test_the_service_linked_role_is_created_unless_it_exists():
    stack = new_stack()
    _posture(stack)
    calls = [json.loads(r["Properties"]["Create"]) for r in A.Template.from_stack(stack).find_resources(
        "Custom::AWS").values()]
    (create,) = [c for c in calls if c["service"] == "IAM"]
    assert create["action"] == "createServiceLinkedRole"
    assert create["parameters"] == {"AWSServiceName": "config.amazonaws.com"}
    assert create["ignoreErrorCodesMatching"] == "InvalidInput"


def test_only_config_of_this_account_may_deliver_to_the_bucket_under_its_prefix_and_use_the_key():
    stack = new_stack()
    _posture(stack)
    template = A.Template.from_stack(stack)
    template.has_resource_properties("AWS::S3::BucketPolicy", {"PolicyDocument": {"Statement": A.Match.array_with([
        A.Match.object_like({"Sid": "ConfigDeliversSnapshotsAndHistory", "Action": "s3:PutObject",
                             "Principal": {"Service": "config.amazonaws.com"},
                             "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012",
                                                            "s3:x-amz-acl": "bucket-owner-full-control"}},
                             "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [A.Match.string_like_regexp("^Logs"),
                                                                            "Arn"]},
                                                            "/AWSLogs/123456789012/Config/*"]]}})])}})
    template.has_resource_properties("AWS::KMS::Key", {"KeyPolicy": {"Statement": A.Match.array_with([
        A.Match.object_like({"Principal": {"Service": "config.amazonaws.com"},
                             "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                             "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}})])}})


def test_inspector_is_enabled_for_ec2_and_ecr_and_never_disabled():
    stack = new_stack()
    _posture(stack)
    template = A.Template.from_stack(stack)
    (resource,) = [r for r in template.find_resources("Custom::AWS").values()
                   if json.loads(r["Properties"]["Create"])["service"] == "Inspector2"]
    properties = resource["Properties"]
    for phase in ("Create", "Update"):
        call = json.loads(properties[phase])
        assert (call["service"], call["action"]) == ("Inspector2", "enable")
        assert call["parameters"] == {"resourceTypes": ["EC2", "ECR"], "accountIds": ["123456789012"]}
    assert "Delete" not in properties


def test_inspector_function_may_only_enable_inspector_and_logs_to_a_retained_encrypted_group():
    stack = new_stack()
    _posture(stack)
    template = A.Template.from_stack(stack)
    template.has_resource_properties("AWS::IAM::ManagedPolicy", {"PolicyDocument": {"Statement": A.Match.array_with([
        {"Sid": "EnableInspector", "Action": "inspector2:Enable", "Effect": "Allow", "Resource": "*"},
        {"Sid": "CreateInspectorServiceLinkedRoles", "Action": "iam:CreateServiceLinkedRole", "Effect": "Allow",
         "Condition": {"StringEquals": {"iam:AWSServiceName": ["inspector2.amazonaws.com",
                                                               "agentless.inspector2.amazonaws.com"]}},
         "Resource": A.Match.array_with([
             "arn:aws:iam::123456789012:role/aws-service-role/inspector2.amazonaws.com/"
             "AWSServiceRoleForAmazonInspector2"])},
    ])}})
    template.resource_count_is("AWS::IAM::Policy", 0)
    template.has_resource_properties("AWS::Lambda::Function", {
        "Role": {"Fn::GetAtt": [A.Match.string_like_regexp("^PostureDeploymentCallsRole"), "Arn"]},
        "LoggingConfig": {"LogGroup": {"Ref": A.Match.string_like_regexp("^PostureDeploymentCallsLogs")}},
    })
    template.has_resource_properties("AWS::Logs::LogGroup", {"KmsKeyId": KEY, "RetentionInDays": 365})


def test_patch_baseline_approves_critical_and_important_security_and_bugfix_updates_after_a_week():
    stack = new_stack()
    PatchManagement(stack, "Patching", auto_scaling_group_name="servers")
    rules = [
        {"ApproveAfterDays": 7, "ComplianceLevel": level, "PatchFilterGroup": {"PatchFilters": [
            {"Key": "CLASSIFICATION", "Values": ["Security", "Bugfix"]}, {"Key": "SEVERITY", "Values": [severity]}]}}
        for severity, level in (("Critical", "CRITICAL"), ("Important", "HIGH"))
    ]
    A.Template.from_stack(stack).has_resource_properties("AWS::SSM::PatchBaseline", {
        "OperatingSystem": "AMAZON_LINUX_2023", "DefaultBaseline": True, "ApprovalRules": {"PatchRules": rules}})


def test_window_patches_the_group_weekly_half_at_a_time_rebooting_if_needed():
    stack = new_stack()
    PatchManagement(stack, "Patching", auto_scaling_group_name="servers")
    template = A.Template.from_stack(stack)
    template.has_resource_properties("AWS::SSM::MaintenanceWindow", {
        "Schedule": "cron(0 18 ? * SUN *)", "Duration": 3, "Cutoff": 1, "AllowUnassociatedTargets": False})
    template.has_resource_properties("AWS::SSM::MaintenanceWindowTarget", {
        "ResourceType": "INSTANCE", "WindowId": {"Ref": A.Match.string_like_regexp("^PatchingWindow")},
        "Targets": [{"Key": "tag:aws:autoscaling:groupName", "Values": ["servers"]}]})
    template.has_resource_properties("AWS::SSM::MaintenanceWindowTask", {
        "TaskType": "RUN_COMMAND", "TaskArn": "AWS-RunPatchBaseline", "MaxConcurrency": "50%", "MaxErrors": "25%",
        "WindowId": {"Ref": A.Match.string_like_regexp("^PatchingWindow")},
        "Targets": [{"Key": "WindowTargetIds", "Values": [{"Ref": A.Match.string_like_regexp("^PatchingServers")}]}],
        "TaskInvocationParameters": {"MaintenanceWindowRunCommandParameters": {
            "Parameters": {"Operation": ["Install"], "RebootOption": ["RebootIfNeeded"]}}},
    })


def test_window_schedule_can_be_moved():
    stack = new_stack()
    PatchManagement(stack, "Patching", auto_scaling_group_name="servers", schedule="cron(0 17 ? * SAT *)")
    A.Template.from_stack(stack).has_resource_properties("AWS::SSM::MaintenanceWindow",
                                                         {"Schedule": "cron(0 17 ? * SAT *)"})


def test_every_pack_passes_the_constructs_with_only_their_own_acknowledgements():
    app = new_app()
    stack = cdk.Stack(app, "Posture", env=TOKYO)
    apply_permissions_boundary(stack, PermissionsBoundary(stack, "Boundary"))
    ThreatDetection(stack, "Threats")
    key = _key(stack)
    IncidentRouting(stack, "Incidents", topic=NotificationTopic(stack, "Topic", key=key, emails=["a@example.com"]),
                    dead_letter_key=key)
    bucket = ClassifiedBucket(stack, "Logs", encryption_key=key, access_logs=AccessLogsBucket(stack, "Access"))
    SecurityPosture(stack, "Posture", delivery_bucket=bucket, delivery_key=key)
    PatchManagement(stack, "Patching", auto_scaling_group_name="servers")
    nag_rules.register_packs(app, AwsSolutionsChecks(app), NIST80053R5Checks(app), HIPAASecurityChecks(app))
    try:
        app.synth()
    except RuntimeError as error:
        assert "ValidationFailed" in str(error)
    report = json.loads((Path(app.outdir) / "validation-report.json").read_text())
    ours = ("Posture/Threats/", "Posture/Incidents/", "Posture/Posture/", "Posture/Patching/", "Posture/AWS679f53fa")
    findings = [(v["ruleName"], c["constructPath"]) for plugin in report["pluginReports"]
                for v in plugin["violations"] for c in v["violatingConstructs"] if c["constructPath"].startswith(ours)]
    assert findings == []
