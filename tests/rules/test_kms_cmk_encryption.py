import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from nag_rules import Status
from nag_rules.rules.kms_cmk_encryption import RULE
from tests.helpers import evaluations_of, new_stack, only


def test_noncompliance_1_topic_without_key():
    stack = new_stack()
    sns.Topic(stack, "Topic")
    assert only(evaluations_of(stack, RULE)).evidence == "no KMS key: SNS stores messages unencrypted"


def test_noncompliance_2_queue_with_sqs_managed_encryption():
    stack = new_stack()
    sqs.Queue(stack, "Queue", encryption=sqs.QueueEncryption.SQS_MANAGED)
    assert "SSE-SQS" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_3_log_group_and_secret_without_keys():
    stack = new_stack()
    logs.LogGroup(stack, "Logs", removal_policy=cdk.RemovalPolicy.RETAIN)
    secretsmanager.Secret(stack, "Secret")
    assert {e.status for e in evaluations_of(stack, RULE)} == {Status.VIOLATED}


def test_noncompliance_4_queue_with_the_aws_managed_key():
    stack = new_stack()
    sqs.CfnQueue(stack, "Queue", kms_master_key_id="alias/aws/sqs")
    assert "AWS managed key" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_5_backup_vault_without_a_key():
    from aws_cdk import aws_backup as backup

    stack = new_stack()
    backup.CfnBackupVault(stack, "Vault", backup_vault_name="vault")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "no KMS key: the AWS managed key aws/backup"


def test_compliance_2_backup_vault_with_a_customer_managed_key():
    from aws_cdk import aws_backup as backup

    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    backup.BackupVault(stack, "Vault", encryption_key=key, removal_policy=cdk.RemovalPolicy.RETAIN)
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT


def test_compliance_1_each_with_a_customer_managed_key():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    sns.Topic(stack, "Topic", master_key=key)
    sqs.Queue(stack, "Queue", encryption=sqs.QueueEncryption.KMS, encryption_master_key=key)
    logs.LogGroup(stack, "Logs", encryption_key=key, removal_policy=cdk.RemovalPolicy.RETAIN)
    secretsmanager.Secret(stack, "Secret", encryption_key=key)
    evaluations = evaluations_of(stack, RULE)
    assert len(evaluations) == 4 and {e.status for e in evaluations} == {Status.COMPLIANT}
