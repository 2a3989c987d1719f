import aws_cdk as cdk
import pytest
from aws_cdk import assertions as A

from config import load_environment
from stacks import FoundationStack
from tests.helpers import new_app


def _foundation():
    settings = load_environment()
    stack = FoundationStack(new_app(), "Foundation", settings=settings)
    return stack, A.Template.from_stack(stack), settings


def test_stack_is_pinned_to_the_configured_environment():
    stack, _, settings = _foundation()
    assert stack.region == "ap-northeast-1"
    assert stack.account == settings.account
    assert stack.stack_name == "tomolinks-example-foundation"
    assert stack.termination_protection is True
    assert stack.availability_zones == settings.availability_zones


def test_zones_come_from_configuration_not_lookups():
    stack, _, _ = _foundation()
    assert not any("dummy" in zone for zone in stack.availability_zones)
    assert cdk.Stack.of(stack).availability_zones == ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]


def test_three_data_class_keys_and_the_log_buckets():
    _, template, _ = _foundation()
    template.resource_count_is("AWS::KMS::Key", 3)
    template.resource_count_is("AWS::S3::Bucket", 3)
    template.resource_count_is("AWS::Logs::LogGroup", 1)


def test_log_archive_uses_the_operations_key_and_logs_to_the_access_log_bucket():
    stack, template, _ = _foundation()
    operations_key = stack.resolve(stack.keys.operations.key_arn)
    template.has_resource_properties("AWS::S3::Bucket", {
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [A.Match.object_like({
            "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": operations_key},
        })]},
        "ObjectLockEnabled": True,
        "LoggingConfiguration": {"DestinationBucketName": stack.resolve(stack.access_logs.bucket_name),
                                 "LogFilePrefix": "LogArchive/"},
        "Tags": A.Match.array_with([
            {"Key": "DataClassification", "Value": "operations"},
            {"Key": "Project", "Value": "tomoLinks"},
        ]),
    })


def test_audit_log_group_uses_configured_retention_and_operations_key():
    stack, template, settings = _foundation()
    template.has_resource_properties("AWS::Logs::LogGroup", {
        "RetentionInDays": settings.log_retention_days,
        "KmsKeyId": stack.resolve(stack.keys.operations.key_arn),
    })


def test_every_stateful_resource_is_retained():
    _, template, _ = _foundation()
    for resource_type in ("AWS::KMS::Key", "AWS::S3::Bucket", "AWS::Logs::LogGroup"):
        for resource in template.find_resources(resource_type).values():
            assert resource["DeletionPolicy"] == "RetainExceptOnCreate", resource_type
            assert resource["UpdateReplacePolicy"] == "Retain", resource_type


def test_replication_is_acknowledged_per_bucket_with_its_reason():
    stack, _, _ = _foundation()
    for bucket in (stack.access_logs, stack.log_archive):
        data = {}
        for entry in bucket.node.default_child.node.metadata:
            if entry.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                data.update(entry.data)
        assert "Annotation::NIST.800.53.R5-S3BucketReplicationEnabled" in data
        assert "12.3.1" in data["Annotation::NIST.800.53.R5-S3BucketReplicationEnabled"]


@pytest.fixture(scope="module")
def app_stacks():
    import app as project

    app = new_app()
    project.build(app, load_environment())
    return {name: A.Template.from_stack(app.node.find_child(name))
            for name in ("Foundation", "Network", "Application", "Data", "Identity", "Operations", "Security")}


def test_network_stack_has_both_vpcs_with_configured_cidrs(app_stacks):
    network = app_stacks["Network"]
    network.has_resource_properties("AWS::EC2::VPC", {"CidrBlock": "10.10.0.0/16"})
    network.has_resource_properties("AWS::EC2::VPC", {"CidrBlock": "10.20.0.0/16"})
    network.resource_count_is("AWS::EC2::FlowLog", 2)
    network.resource_count_is("AWS::EC2::VPCDHCPOptionsAssociation", 2)
    network.resource_count_is("AWS::EC2::InternetGateway", 1)


def test_application_stack_chains_the_tiers(app_stacks):
    application = app_stacks["Application"]
    groups = application.find_resources("AWS::EC2::SecurityGroup")
    by_description = {g["Properties"]["GroupDescription"]: logical_id for logical_id, g in groups.items()}
    entry = by_description["Load balancer: HTTPS from the internet, HTTP only to redirect"]
    servers = by_description["Application servers: only the load balancer, only on the application port"]
    database = by_description["Databases: only the application servers, only on the database port"]
    application.has_resource_properties("AWS::EC2::SecurityGroupIngress", {
        "GroupId": {"Fn::GetAtt": [servers, "GroupId"]}, "SourceSecurityGroupId": {"Fn::GetAtt": [entry, "GroupId"]},
        "FromPort": 8080, "ToPort": 8080})
    application.has_resource_properties("AWS::EC2::SecurityGroupIngress", {
        "GroupId": {"Fn::GetAtt": [database, "GroupId"]}, "SourceSecurityGroupId": {"Fn::GetAtt": [servers, "GroupId"]},
        "FromPort": 5432, "ToPort": 5432})
    for group in groups.values():
        for rule in group["Properties"].get("SecurityGroupIngress", []):
            assert rule["FromPort"] not in (22, 3389)


def test_application_stack_puts_waf_in_front_of_the_load_balancer(app_stacks):
    application = app_stacks["Application"]
    balancer = next(iter(application.find_resources("AWS::ElasticLoadBalancingV2::LoadBalancer")))
    application.has_resource_properties("AWS::WAFv2::WebACLAssociation", {"ResourceArn": {"Ref": balancer}})
    application.has_resource_properties("AWS::WAFv2::WebACL", {"Name": "tomolinks-example-entry"})


def test_application_stack_allows_only_session_manager_in(app_stacks):
    application = app_stacks["Application"]
    application.has_resource_properties("AWS::SSM::Document", {"Name": "SSM-SessionManagerRunShell",
                                                               "DocumentType": "Session"})
    application.resource_count_is("AWS::IAM::User", 0)
    application.resource_count_is("AWS::IAM::Policy", 0)
    application.has_resource_properties("AWS::EC2::LaunchTemplate", {"LaunchTemplateData": A.Match.object_like({
        "KeyName": A.Match.absent()})})


def test_edge_stack_lives_in_us_east_1_and_says_why(app_stacks):
    import app as project

    app = new_app()
    project.build(app, load_environment())
    edge = app.node.find_child("Edge")
    assert edge.region == "us-east-1" and edge.availability_zones == []
    reasons = {}
    for construct in (edge.firewall.web_acl, edge.entry.distribution.node.default_child):
        for entry in construct.node.metadata:
            if entry.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                reasons.update(entry.data)
    assert set(reasons) == {"Annotation::ISO27017-DataLocationJapan", "Annotation::AwsSolutions-CFR3"}
    routing = [edge.firewall.logging, *edge.entry.log_delivery]
    for construct in routing:
        (entry,) = [e for e in construct.node.metadata if e.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY]
        assert "ap-northeast-1" in entry.data["Annotation::ISO27017-DataLocationJapan"]
    template = app_stacks["Edge"] if "Edge" in app_stacks else A.Template.from_stack(edge)
    template.resource_count_is("AWS::S3::Bucket", 0)
    template.resource_count_is("AWS::Logs::LogGroup", 0)
    template.resource_count_is("AWS::KMS::Key", 1)  # only the key of the edge alarm topic
    template.resource_count_is("AWS::SNS::Topic", 1)


def test_data_stack_keeps_customer_data_in_the_isolated_subnets_under_the_customer_key(app_stacks):
    data = app_stacks["Data"]
    customer_key = {"Fn::GetStackOutput": A.Match.object_like({
        "StackName": "tomolinks-example-foundation",
        "OutputName": A.Match.string_like_regexp("KeysCustomer")})}
    data.has_resource_properties("AWS::RDS::DBCluster", {
        "StorageEncrypted": True, "KmsKeyId": customer_key, "DeletionProtection": True, "Port": 5432,
        "VpcSecurityGroupIds": [{"Fn::GetStackOutput": A.Match.object_like({
            "StackName": "tomolinks-example-application",
            "OutputName": A.Match.string_like_regexp("DatabaseSecurityGroup")})}]})
    data.has_resource_properties("AWS::RDS::DBSubnetGroup", {"SubnetIds": A.Match.array_with([
        {"Fn::GetStackOutput": A.Match.object_like({"OutputName": A.Match.string_like_regexp("ServiceVpcDataSubnet1")})}])})
    for bucket in ("TeachingMaterials", "LearningRecords"):
        data.has_resource("AWS::S3::Bucket", {
            "DeletionPolicy": "RetainExceptOnCreate",
            "Properties": A.Match.object_like({
                "VersioningConfiguration": {"Status": "Enabled"},
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [A.Match.object_like({
                    "BucketKeyEnabled": True,
                    "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": customer_key}})]},
                "LoggingConfiguration": {
                    "LogFilePrefix": f"{bucket}/",
                    "DestinationBucketName": {"Fn::GetStackOutput": A.Match.object_like({
                        "OutputName": A.Match.string_like_regexp("AccessLogs")})}},
                "Tags": A.Match.array_with([{"Key": "DataClassification", "Value": "customer"}]),
            }),
        })
    data.has_resource_properties("AWS::Backup::BackupPlan", {"BackupPlan": A.Match.object_like({
        "BackupPlanRule": [A.Match.object_like({"Lifecycle": {"DeleteAfterDays": 7}})]})})
    data.resource_count_is("AWS::DynamoDB::GlobalTable", 1)


def test_backup_copies_go_to_a_locked_vault_in_osaka_and_the_gate_still_passes():
    from pathlib import Path

    import app as project
    from compliance.results import build_report

    settings = load_environment().model_copy(update={"backup_copy_region": "ap-northeast-3",
                                                     "backup_vault_lock_mode": "compliance"})
    app = new_app()
    project.build(app, settings)
    copy = app.node.find_child("BackupCopy")
    assert copy.region == "ap-northeast-3" and copy.stack_name == "tomolinks-example-backup-copy"
    A.Template.from_stack(copy).has_resource_properties("AWS::Backup::BackupVault", {
        "BackupVaultName": "tomolinks-example-daily-copy", "LockConfiguration": {"MinRetentionDays": 7,
                                                                                 "ChangeableForDays": 3}})
    A.Template.from_stack(app.node.find_child("Data")).has_resource_properties("AWS::Backup::BackupPlan", {
        "BackupPlan": {"BackupPlanRule": [A.Match.object_like({"CopyActions": [A.Match.object_like({
            "DestinationBackupVaultArn": "arn:aws:backup:ap-northeast-3:123456789012:backup-vault:"
                                         "tomolinks-example-daily-copy"})]})]}})
    app.synth()
    report = build_report(Path(app.outdir))
    assert report["gate"] == {"passed": True, "blocking": []}


def test_security_and_operations_stacks_watch_the_account_and_the_service():
    import app as project

    app = new_app()
    project.build(app, load_environment())
    security = A.Template.from_stack(app.node.find_child("Security"))
    security.resource_count_is("AWS::GuardDuty::Detector", 1)
    security.resource_count_is("AWS::SecurityHub::Standard", 2)
    security.resource_count_is("AWS::Config::ConfigurationRecorder", 1)
    operations = A.Template.from_stack(app.node.find_child("Operations"))
    operations.resource_count_is("AWS::Events::Rule", 3)
    for alarm in operations.find_resources("AWS::CloudWatch::Alarm").values():
        assert alarm["Properties"]["AlarmActions"], alarm["Properties"]["AlarmName"]
    operations.has_resource_properties("AWS::Synthetics::Canary", {"Schedule": {"Expression": "rate(5 minutes)"}})
    operations.resource_count_is("AWS::CloudWatch::Dashboard", 1)
    operations.has_resource_properties("AWS::SSM::MaintenanceWindowTask", {"TaskArn": "AWS-RunPatchBaseline"})
    foundation = A.Template.from_stack(app.node.find_child("Foundation"))
    foundation.has_resource_properties("AWS::CloudTrail::Trail", {"IsMultiRegionTrail": True,
                                                                  "EnableLogFileValidation": True})


def test_an_environment_whose_account_security_runs_elsewhere_builds_no_account_singletons():
    from pathlib import Path

    import app as project
    from compliance.results import build_report

    settings = load_environment().model_copy(update={"account_security": "external"})
    app = new_app()
    project.build(app, settings)
    assert app.node.try_find_child("Security") is None
    app.synth()
    report = build_report(Path(app.outdir))
    assert report["gate"] == {"passed": True, "blocking": []}
    (ack,) = [a for a in report["acknowledgements"] if a["rule"] == "ISO27017-BackupAuditFramework"]
    assert "account_security = external" in ack["reason"]


def test_identity_stack_keeps_administrators_apart_with_the_configured_floors():
    import app as project

    settings = load_environment().model_copy(update={"admin_password_length": 20, "user_password_length": 12,
                                                     "temporary_password_days": 2})
    app = new_app()
    project.build(app, settings)
    identity = A.Template.from_stack(app.node.find_child("Identity"))
    identity.resource_count_is("AWS::Cognito::UserPool", 2)
    for pool, length, mfa in (("administrators", 20, "ON"), ("users", 12, "OPTIONAL")):
        identity.has_resource("AWS::Cognito::UserPool", {
            "DeletionPolicy": "Retain",
            "Properties": A.Match.object_like({
                "UserPoolName": f"tomolinks-example-{pool}",
                "MfaConfiguration": mfa,
                "DeletionProtection": "ACTIVE",
                "Policies": {"PasswordPolicy": A.Match.object_like({
                    "MinimumLength": length, "TemporaryPasswordValidityDays": 2})},
                "UserPoolTags": A.Match.object_like({"UserPoolAudience": pool, "DataClassification": "customer"}),
            }),
        })
    identity.has_resource_properties("AWS::IAM::Role", {
        "MaxSessionDuration": 3600,
        "AssumeRolePolicyDocument": {"Statement": [A.Match.object_like({"Condition": {"ArnLike": {
            "aws:PrincipalArn": A.Match.string_like_regexp("AWSReservedSSO_TomoLinksBreakGlass_")}}})]},
        "PermissionsBoundary": A.Match.absent(),
    })


def test_break_glass_from_an_identity_account_needs_fresh_mfa():
    import app as project

    settings = load_environment().model_copy(update={"operator_access": "identity-account",
                                                     "operator_identity_account": "210987654321"})
    app = new_app()
    project.build(app, settings)
    A.Template.from_stack(app.node.find_child("Identity")).has_resource_properties("AWS::IAM::Role", {
        "AssumeRolePolicyDocument": {"Statement": [A.Match.object_like({
            "Principal": {"AWS": A.Match.string_like_regexp("210987654321")},
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"},
                          "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}})]}})


@pytest.mark.parametrize("name", ["Foundation", "Network", "Application", "Data", "Operations", "Security"])
def test_every_role_of_a_stack_is_under_its_own_boundary(app_stacks, name):
    template = app_stacks[name]
    boundaries = template.find_resources("AWS::IAM::ManagedPolicy", {"Properties": {"PolicyDocument": {
        "Statement": A.Match.array_with([A.Match.object_like({"Sid": "NoIdentityChanges", "Effect": "Deny"})])}}})
    assert len(boundaries) == 1
    (boundary,) = boundaries
    roles = template.find_resources("AWS::IAM::Role")
    assert roles
    for role in roles.values():
        assert role["Properties"]["PermissionsBoundary"] == {"Ref": boundary}
