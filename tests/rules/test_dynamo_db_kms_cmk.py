from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms

from nag_rules import Status
from nag_rules.rules.dynamo_db_kms_cmk import RULE
from tests.helpers import evaluations_of, new_stack, only

KEY = dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING)


def test_noncompliance_1_aws_owned_key():
    stack = new_stack()
    dynamodb.Table(stack, "Table", partition_key=KEY)
    assert "AWS owned key" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_2_aws_managed_key():
    stack = new_stack()
    dynamodb.Table(stack, "Table", partition_key=KEY, encryption=dynamodb.TableEncryption.AWS_MANAGED)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "aws/dynamodb" in evaluation.evidence


def test_noncompliance_3_global_table_with_aws_owned_key():
    stack = new_stack()
    dynamodb.TableV2(stack, "Table", partition_key=KEY)
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_compliance_1_customer_managed_key():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    dynamodb.Table(stack, "Table", partition_key=KEY, encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
                   encryption_key=key)
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT


def test_compliance_2_global_table_with_customer_managed_key():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    dynamodb.TableV2(stack, "Table", partition_key=KEY,
                     encryption=dynamodb.TableEncryptionV2.customer_managed_key(key))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "replica ap-northeast-1 KMSMasterKeyId = Test/Key/Resource" in evaluation.evidence
