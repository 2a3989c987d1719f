import aws_cdk as cdk
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ssm as ssm

from constructs_lib import DataClass, DataClassKey, SessionManagerLogging
from nag_rules import Status
from nag_rules.rules.session_manager_logging import RULE
from tests.helpers import evaluations_of, new_stack, only


def _document(stack, **inputs):
    ssm.CfnDocument(stack, "Sessions", document_type="Session", content={
        "schemaVersion": "1.0", "sessionType": "Standard_Stream", "inputs": inputs})


def test_noncompliance_1_no_encryption_key():
    stack = new_stack()
    _document(stack, kmsKeyId="", cloudWatchLogGroupName="sessions", cloudWatchEncryptionEnabled=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("kmsKeyId is empty")


def test_noncompliance_2_log_group_kept_a_month():
    stack = new_stack()
    key = DataClassKey(stack, "Key", data_class=DataClass.OPERATIONS, alias_prefix="p")
    group = logs.LogGroup(stack, "Logs", retention=logs.RetentionDays.ONE_MONTH, encryption_key=key,
                          removal_policy=cdk.RemovalPolicy.RETAIN)
    _document(stack, kmsKeyId=key.key_arn, cloudWatchLogGroupName=group.log_group_name,
              cloudWatchEncryptionEnabled=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "kept 30 days" in evaluation.evidence


def test_noncompliance_3_logging_not_encrypted():
    stack = new_stack()
    key = DataClassKey(stack, "Key", data_class=DataClass.OPERATIONS, alias_prefix="p")
    _document(stack, kmsKeyId=key.key_arn, cloudWatchLogGroupName="sessions", cloudWatchEncryptionEnabled=False)
    assert "cloudWatchEncryptionEnabled = false" in only(evaluations_of(stack, RULE)).evidence


def test_compliance_1_the_construct():
    stack = new_stack()
    key = DataClassKey(stack, "Key", data_class=DataClass.OPERATIONS, alias_prefix="p")
    SessionManagerLogging(stack, "Sessions", key=key, log_retention_days=365)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("sessions encrypted with Test/Key/Resource; logged to Test/Sessions/Logs/Resource "
                                   "(kept 365 days, KMS-encrypted)")


def test_compliance_2_other_documents_are_not_evaluated():
    stack = new_stack()
    ssm.CfnDocument(stack, "Runbook", document_type="Command", content={"schemaVersion": "2.2", "mainSteps": []})
    assert evaluations_of(stack, RULE) == []


def _servers(stack):
    from aws_cdk import aws_autoscaling as autoscaling
    from aws_cdk import aws_ec2 as ec2

    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="App", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    template = ec2.LaunchTemplate(stack, "Template", machine_image=ec2.MachineImage.latest_amazon_linux2023(),
                                  instance_type=ec2.InstanceType("t3.small"))
    autoscaling.AutoScalingGroup(stack, "Servers", vpc=vpc, launch_template=template)


def _server_evaluations(stack):
    return [e for e in evaluations_of(stack, RULE) if e.resource.type == "AWS::AutoScaling::AutoScalingGroup"]


def test_noncompliance_4_servers_without_account_preferences():
    stack = new_stack()
    _servers(stack)
    key = DataClassKey(stack, "Key", data_class=DataClass.OPERATIONS, alias_prefix="p")
    SessionManagerLogging(stack, "Sessions", key=key, log_retention_days=365, name="p-sessions")
    evaluation = only(_server_evaluations(stack))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("no SSM-SessionManagerRunShell document in aws://123456789012/ap-northeast-1")


def test_noncompliance_5_preferences_in_another_region_do_not_count():
    app = new_stack().node.root
    tokyo = cdk.Stack(app, "Tokyo", env=cdk.Environment(account="123456789012", region="ap-northeast-1"))
    virginia = cdk.Stack(app, "Virginia", env=cdk.Environment(account="123456789012", region="us-east-1"))
    _servers(tokyo)
    key = DataClassKey(virginia, "Key", data_class=DataClass.OPERATIONS, alias_prefix="p")
    SessionManagerLogging(virginia, "Sessions", key=key, log_retention_days=365)
    evaluation = only(_server_evaluations(tokyo))
    assert evaluation.status is Status.VIOLATED


def test_noncompliance_6_log_group_found_by_name_in_another_region_does_not_count():
    app = new_stack().node.root
    tokyo = cdk.Stack(app, "Tokyo", env=cdk.Environment(account="123456789012", region="ap-northeast-1"))
    virginia = cdk.Stack(app, "Virginia", env=cdk.Environment(account="123456789012", region="us-east-1"))
    key = DataClassKey(tokyo, "Key", data_class=DataClass.OPERATIONS, alias_prefix="p")
    logs.LogGroup(virginia, "Logs", log_group_name="sessions", retention=logs.RetentionDays.ONE_YEAR,
                  removal_policy=cdk.RemovalPolicy.RETAIN)
    _document(tokyo, kmsKeyId=key.key_arn, cloudWatchLogGroupName="sessions", cloudWatchEncryptionEnabled=True)
    evaluation = only([e for e in evaluations_of(tokyo, RULE)])
    assert evaluation.status is Status.UNRESOLVED
    assert "not a log group of this app in aws://123456789012/ap-northeast-1" in evaluation.evidence


def test_compliance_3_servers_covered_by_the_account_preferences():
    stack = new_stack()
    _servers(stack)
    key = DataClassKey(stack, "Key", data_class=DataClass.OPERATIONS, alias_prefix="p")
    SessionManagerLogging(stack, "Sessions", key=key, log_retention_days=365)
    evaluation = only(_server_evaluations(stack))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.startswith(
        "sessions follow Test/Sessions/Preferences (SSM-SessionManagerRunShell): sessions encrypted with Test/Key")
