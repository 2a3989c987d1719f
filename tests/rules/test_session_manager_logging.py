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
    SessionManagerLogging(stack, "Sessions", name="p-sessions", key=key, log_retention_days=365)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("sessions encrypted with Test/Key/Resource; logged to Test/Sessions/Logs/Resource "
                                   "(kept 365 days, KMS-encrypted)")


def test_compliance_2_other_documents_are_not_evaluated():
    stack = new_stack()
    ssm.CfnDocument(stack, "Runbook", document_type="Command", content={"schemaVersion": "2.2", "mainSteps": []})
    assert evaluations_of(stack, RULE) == []
