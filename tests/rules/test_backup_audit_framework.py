import aws_cdk as cdk
from aws_cdk import aws_backup as backup
from aws_cdk import aws_config as config

from nag_rules import Status
from nag_rules.rules.backup_audit_framework import RULE
from tests.helpers import TOKYO, evaluations_of, new_app, new_stack, only

CUSTOMER_SCOPE = {"Tags": [{"Key": "DataClassification", "Value": "customer"}]}


def _plan(stack):
    plan = backup.BackupPlan(stack, "Plan", backup_vault=backup.BackupVault(stack, "Vault"))
    plan.add_rule(backup.BackupPlanRule.daily())
    return plan


def _control(name, scope=None, **parameters):
    return backup.CfnFramework.FrameworkControlProperty(
        control_name=name, control_scope=scope,
        control_input_parameters=[backup.CfnFramework.ControlInputParameterProperty(
            parameter_name=key, parameter_value=value) for key, value in parameters.items()] or None)


def _framework(stack, plan_parameters=None, lock_parameters=None, protected_scope=CUSTOMER_SCOPE, skip=()):
    controls = [
        _control("BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK", **(plan_parameters if plan_parameters is not None
                 else {"requiredFrequencyUnit": "days", "requiredFrequencyValue": "1", "requiredRetentionDays": "7"})),
        _control("BACKUP_RECOVERY_POINT_ENCRYPTED"),
        _control("BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN", protected_scope),
        _control("BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK", CUSTOMER_SCOPE,
                 **(lock_parameters if lock_parameters is not None else {"minRetentionDays": "7"})),
    ]
    return backup.CfnFramework(stack, "Framework", framework_controls=[
        c for c in controls if c.control_name not in skip])


def _recorder(stack, **group):
    return config.CfnConfigurationRecorder(
        stack, "Recorder", role_arn="arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/"
                                    "AWSServiceRoleForConfig",
        recording_group=config.CfnConfigurationRecorder.RecordingGroupProperty(**(group or {"all_supported": True})))


def test_noncompliance_1_no_framework():
    stack = new_stack()
    _plan(stack)
    _recorder(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("no AWS::Backup::Framework of this app in aws://123456789012/ap-northeast-1")


def test_noncompliance_2_framework_without_the_vault_lock_control():
    stack = new_stack()
    _plan(stack)
    _framework(stack, skip=("BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK",))
    _recorder(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "has BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK as required" in evaluation.evidence


def test_noncompliance_3_weekly_frequency_accepted():
    stack = new_stack()
    _plan(stack)
    _framework(stack, plan_parameters={"requiredFrequencyUnit": "days", "requiredFrequencyValue": "7",
                                       "requiredRetentionDays": "7"})
    _recorder(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "requiredFrequencyValue = 7, requiredRetentionDays = 7: accepts plans that back up less often than daily" \
        in evaluation.evidence


def test_noncompliance_4_retention_of_three_days_accepted():
    stack = new_stack()
    _plan(stack)
    _framework(stack, plan_parameters={"requiredFrequencyUnit": "hours", "requiredFrequencyValue": "12",
                                       "requiredRetentionDays": "3"})
    _recorder(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "accepts backups kept less than 7 days" in evaluation.evidence


def test_noncompliance_5_protection_scoped_to_another_tag():
    stack = new_stack()
    _plan(stack)
    _framework(stack, protected_scope={"Tags": [{"Key": "DataClassification", "Value": "operations"}]})
    _recorder(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert 'leaves out the customer data (DataClassification = customer)' in evaluation.evidence


def test_noncompliance_6_lock_control_without_minimum():
    stack = new_stack()
    _plan(stack)
    _framework(stack, lock_parameters={})
    _recorder(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "set minRetentionDays >= 7" in evaluation.evidence


def test_noncompliance_7_no_config_recorder_is_unresolved():
    stack = new_stack()
    _plan(stack)
    _framework(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "Backup Audit Manager evaluates nothing without AWS Config recording" in evaluation.evidence


def test_noncompliance_8_recorder_without_backup_types():
    stack = new_stack()
    _plan(stack)
    _framework(stack)
    _recorder(stack, all_supported=False, resource_types=["AWS::EC2::Instance", "AWS::Backup::BackupPlan"])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "Test/Recorder does not record AWS::Backup::BackupSelection, AWS::Backup::BackupVault, " \
           "AWS::Backup::RecoveryPoint" in evaluation.evidence


def test_noncompliance_9_framework_in_another_region_does_not_count():
    app = new_app()
    osaka = cdk.Stack(app, "Osaka", env=cdk.Environment(account=TOKYO.account, region="ap-northeast-3"))
    _framework(osaka)
    stack = cdk.Stack(app, "Test", env=TOKYO)
    _plan(stack)
    _recorder(stack)
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_10_deploy_time_parameter_is_unresolved():
    stack = new_stack()
    _plan(stack)
    days = cdk.CfnParameter(stack, "Days")
    _framework(stack, plan_parameters={"requiredRetentionDays": days.value_as_string})
    _recorder(stack)
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def test_compliance_1_all_four_controls_with_config_recording():
    stack = new_stack()
    _plan(stack)
    _framework(stack)
    _recorder(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == (
        "Test/Framework has BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK (requiredFrequencyUnit = days, "
        "requiredFrequencyValue = 1, requiredRetentionDays = 7; no ControlScope: all it evaluates), "
        "BACKUP_RECOVERY_POINT_ENCRYPTED (no ControlScope: all it evaluates), "
        "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN (resources tagged DataClassification = customer), "
        "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK (minRetentionDays = 7; resources tagged "
        "DataClassification = customer); AWS Config: Test/Recorder records every supported type "
        "(RecordingGroup.AllSupported = true)")


def test_compliance_2_hourly_defaults_and_recorder_in_another_stack():
    app = new_app()
    security = cdk.Stack(app, "Security", env=TOKYO)
    _recorder(security, all_supported=False, resource_types=[
        "AWS::Backup::BackupPlan", "AWS::Backup::BackupSelection", "AWS::Backup::BackupVault",
        "AWS::Backup::RecoveryPoint"])
    stack = cdk.Stack(app, "Test", env=TOKYO)
    _plan(stack)
    _framework(stack, plan_parameters={"requiredFrequencyUnit": "hours", "requiredFrequencyValue": "24"},
               protected_scope={"ComplianceResourceTypes": ["RDS", "DynamoDB", "S3"]})
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "requiredRetentionDays = (absent: 35)" in evaluation.evidence
    assert "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN (types RDS, DynamoDB, S3)" in evaluation.evidence
    assert "Security/Recorder records AWS::Backup::BackupPlan" in evaluation.evidence
