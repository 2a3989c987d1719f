from aws_cdk import aws_s3 as s3

from constructs_lib import DataClass, DataClassKey, classify
from nag_rules import Status
from nag_rules.rules.key_matches_data_class import RULE
from tests.helpers import evaluations_of, new_stack, only


def _bucket(stack, bucket_class, key_class):
    key = DataClassKey(stack, "Key", data_class=key_class, alias_prefix="p")
    bucket = s3.Bucket(stack, "Bucket", encryption=s3.BucketEncryption.KMS, encryption_key=key)
    classify(bucket, bucket_class)


def test_noncompliance_1_customer_data_under_the_operations_key():
    stack = new_stack()
    _bucket(stack, DataClass.CUSTOMER, DataClass.OPERATIONS)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("DataClassification = customer, but encrypted with Test/Key/Resource "
                                   "(DataClassification = operations)")


def test_noncompliance_2_service_derived_under_the_customer_key():
    stack = new_stack()
    _bucket(stack, DataClass.SERVICE_DERIVED, DataClass.CUSTOMER)
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_compliance_1_same_class():
    stack = new_stack()
    _bucket(stack, DataClass.CUSTOMER, DataClass.CUSTOMER)
    assert only(evaluations_of(stack, RULE)).evidence == (
        "customer data encrypted with Test/Key/Resource, the customer key")


def test_compliance_2_unclassified_resources_are_left_to_the_tag_rule():
    stack = new_stack()
    key = DataClassKey(stack, "Key", data_class=DataClass.CUSTOMER, alias_prefix="p")
    s3.Bucket(stack, "Bucket", encryption=s3.BucketEncryption.KMS, encryption_key=key)
    assert evaluations_of(stack, RULE) == []


def test_unresolved_1_key_outside_the_app():
    from aws_cdk import aws_kms as kms

    stack = new_stack()
    key = kms.Key.from_key_arn(stack, "Key", "arn:aws:kms:ap-northeast-1:123456789012:key/0000-1111")
    bucket = s3.Bucket(stack, "Bucket", encryption=s3.BucketEncryption.KMS, encryption_key=key)
    classify(bucket, DataClass.CUSTOMER)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "not a key of this app" in evaluation.evidence
