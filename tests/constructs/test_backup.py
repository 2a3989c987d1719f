import pytest
from aws_cdk import assertions as A
from aws_cdk import aws_backup as backup
from aws_cdk import aws_dynamodb as dynamodb

from constructs_lib import DataClass, DataClassKey
from constructs_lib.backup import DailyBackup
from tests.helpers import new_stack


def _backup(stack, **overrides):
    key = DataClassKey(stack, "CustomerKey", data_class=DataClass.CUSTOMER, alias_prefix="p")
    table = dynamodb.TableV2(stack, "Table", partition_key=dynamodb.Attribute(
        name="id", type=dynamodb.AttributeType.STRING))
    log_key = DataClassKey(stack, "OperationsKey", data_class=DataClass.OPERATIONS, alias_prefix="p")
    props = dict(name="p", key=key, log_key=log_key, resources=[backup.BackupResource.from_dynamo_db_table(table)])
    props.update(overrides)
    return DailyBackup(stack, "Backup", **props)


def test_vault_is_encrypted_locked_for_the_retention_and_retained():
    stack = new_stack()
    _backup(stack)
    A.Template.from_stack(stack).has_resource("AWS::Backup::BackupVault", {
        "DeletionPolicy": "RetainExceptOnCreate",
        "Properties": A.Match.object_like({
            "BackupVaultName": "p-daily",
            "EncryptionKeyArn": {"Fn::GetAtt": [A.Match.string_like_regexp("^CustomerKey"), "Arn"]},
            "LockConfiguration": {"MinRetentionDays": 7},
            "BackupVaultTags": A.Match.object_like({"DataClassification": "customer"}),
        }),
    })


def test_plan_backs_up_daily_and_keeps_a_week_not_thirty_five_days():
    stack = new_stack()
    _backup(stack)
    A.Template.from_stack(stack).has_resource_properties("AWS::Backup::BackupPlan", {"BackupPlan": {
        "BackupPlanName": "p-daily",
        "BackupPlanRule": [A.Match.object_like({
            "RuleName": "Daily",
            "ScheduleExpression": "cron(0 18 * * ? *)",
            "Lifecycle": {"DeleteAfterDays": 7},
            "TargetBackupVault": {"Fn::GetAtt": [A.Match.string_like_regexp("^BackupVault"), "BackupVaultName"]},
        })],
    }})


def test_selection_takes_the_given_resources_and_everything_tagged_customer():
    stack = new_stack()
    _backup(stack)
    A.Template.from_stack(stack).has_resource_properties("AWS::Backup::BackupSelection", {"BackupSelection": {
        "SelectionName": "CustomerData",
        "IamRoleArn": {"Fn::GetAtt": [A.Match.string_like_regexp("^BackupRole"), "Arn"]},
        "Resources": [{"Fn::GetAtt": [A.Match.string_like_regexp("^Table"), "Arn"]}],
        "ListOfTags": [{"ConditionKey": "DataClassification", "ConditionType": "STRINGEQUALS",
                        "ConditionValue": "customer"}],
    }})


def test_backup_role_may_use_the_key_and_is_assumable_only_by_aws_backup():
    stack = new_stack()
    _backup(stack)
    template = A.Template.from_stack(stack)
    template.has_resource_properties("AWS::IAM::Role", {"AssumeRolePolicyDocument": {"Statement": [
        A.Match.object_like({"Principal": {"Service": "backup.amazonaws.com"}})]}})
    template.has_resource_properties("AWS::IAM::ManagedPolicy", {"PolicyDocument": {"Statement": A.Match.array_with([
        A.Match.object_like({"Action": A.Match.array_with(["kms:CreateGrant", "kms:Decrypt"]),
                             "Resource": {"Fn::GetAtt": [A.Match.string_like_regexp("^CustomerKey"), "Arn"]}})])}})
    template.resource_count_is("AWS::IAM::Policy", 0)


def test_retention_under_a_week_is_refused():
    with pytest.raises(ValueError, match=r"retention_days=3; allowed: 7 or more \(clause 12.3.1\)"):
        _backup(new_stack(), retention_days=3)


def test_compliance_mode_lock_becomes_immutable_after_three_days():
    stack = new_stack()
    _backup(stack, lock_mode="compliance")
    A.Template.from_stack(stack).has_resource_properties("AWS::Backup::BackupVault", {
        "LockConfiguration": {"MinRetentionDays": 7, "ChangeableForDays": 3}})


def test_unknown_lock_mode_is_refused():
    with pytest.raises(ValueError, match=r"lock_mode='strict'; allowed: governance, compliance \(clause 12.3.1\)"):
        _backup(new_stack(), lock_mode="strict")


def test_copy_to_another_vault_is_kept_as_long():
    stack = new_stack()
    arn = "arn:aws:backup:ap-northeast-3:123456789012:backup-vault:p-daily-copy"
    _backup(stack, copy_vault_arn=arn)
    A.Template.from_stack(stack).has_resource_properties("AWS::Backup::BackupPlan", {"BackupPlan": {
        "BackupPlanRule": [A.Match.object_like({"CopyActions": [
            {"DestinationBackupVaultArn": arn, "Lifecycle": {"DeleteAfterDays": 7}}]})]}})


def test_audit_manager_framework_checks_frequency_retention_encryption_and_protection():
    stack = new_stack()
    _backup(stack)
    (framework,) = A.Template.from_stack(stack).find_resources("AWS::Backup::Framework").values()
    controls = {c["ControlName"]: c for c in framework["Properties"]["FrameworkControls"]}
    assert set(controls) == {"BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK", "BACKUP_RECOVERY_POINT_ENCRYPTED",
                             "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN",
                             "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK"}
    frequency = {p["ParameterName"]: p["ParameterValue"]
                 for p in controls["BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK"]["ControlInputParameters"]}
    assert frequency == {"requiredFrequencyUnit": "days", "requiredFrequencyValue": "1", "requiredRetentionDays": "7"}
    assert controls["BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN"]["ControlScope"] == {
        "ComplianceResourceTypes": ["Aurora", "DynamoDB", "S3"]}


def test_stateless_servers_are_left_out_of_the_customer_data_selection():
    stack = new_stack()
    _backup(stack)
    A.Template.from_stack(stack).has_resource_properties("AWS::Backup::BackupSelection", {"BackupSelection": A.Match.object_like({
        "NotResources": ["arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:*:*:volume/*"]})})


def test_aws_backup_keeps_its_own_dynamodb_backups_so_they_can_be_locked_and_copied():
    import json

    stack = new_stack()
    _backup(stack)
    (setting,) = A.Template.from_stack(stack).find_resources("Custom::AWS").values()
    call = json.loads(setting["Properties"]["Create"])
    assert (call["service"], call["action"]) == ("Backup", "updateRegionSettings")
    assert call["parameters"] == {"ResourceTypeManagementPreference": {"DynamoDB": True}}
    assert "Delete" not in setting["Properties"]
