import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from nag_rules import Status
from nag_rules.rules.s3_bucket_kms_cmk import RULE
from tests.helpers import TOKYO, evaluations_of, new_stack, only


def test_noncompliance_1_sse_s3():
    stack = new_stack()
    s3.Bucket(stack, "Bucket", encryption=s3.BucketEncryption.S3_MANAGED)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "SSEAlgorithm = AES256"


def test_noncompliance_2_no_encryption_configuration():
    stack = new_stack()
    s3.CfnBucket(stack, "Bucket")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "BucketEncryption absent" in evaluation.evidence


def test_noncompliance_3_aws_managed_key():
    stack = new_stack()
    s3.Bucket(stack, "Bucket", encryption=s3.BucketEncryption.KMS_MANAGED)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "aws/s3" in evaluation.evidence


def test_noncompliance_4_aws_managed_alias():
    stack = new_stack()
    s3.CfnBucket(stack, "Bucket", bucket_encryption={"serverSideEncryptionConfiguration": [{
        "serverSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "alias/aws/s3"}}]})
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_5_key_from_outside_the_app_is_unresolved():
    stack = new_stack()
    key = kms.Key.from_key_arn(
        stack, "Imported", "arn:aws:kms:ap-northeast-1:123456789012:key/11111111-2222-3333-4444-555555555555")
    s3.Bucket(stack, "Bucket", encryption=s3.BucketEncryption.KMS, encryption_key=key)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "cannot be known at synth time" in evaluation.evidence


def test_compliance_1_customer_managed_key_of_the_stack():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    s3.Bucket(stack, "Bucket", encryption=s3.BucketEncryption.KMS, bucket_key_enabled=True, encryption_key=key)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.endswith(
        "KMSMasterKeyID = Test/Key/Resource (AWS::KMS::Key, customer managed); BucketKeyEnabled = true")


def test_compliance_2_dual_layer_with_customer_managed_key():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    s3.Bucket(stack, "Bucket", encryption=s3.BucketEncryption.DSSE, encryption_key=key)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.startswith("SSEAlgorithm = aws:kms:dsse")


def test_compliance_3_customer_managed_key_named_by_its_alias():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    alias = kms.Alias(stack, "Alias", alias_name="alias/materials", target_key=key)
    s3.Bucket(stack, "Bucket", encryption=s3.BucketEncryption.KMS, bucket_key_enabled=True, encryption_key=alias)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "KMSMasterKeyID = Test/Key/Resource via Test/Alias/Resource" in evaluation.evidence


def test_noncompliance_6_empty_encryption_configuration():
    stack = new_stack()
    s3.CfnBucket(stack, "Bucket", bucket_encryption={"serverSideEncryptionConfiguration": []})
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "empty" in evaluation.evidence


def test_compliance_4_customer_managed_key_of_another_stack():
    app = new_stack().node.root
    keys = cdk.Stack(app, "Keys", env=TOKYO)
    key = kms.Key(keys, "Key", enable_key_rotation=True)
    data = cdk.Stack(app, "Data", env=TOKYO)
    s3.Bucket(data, "Bucket", encryption=s3.BucketEncryption.KMS, bucket_key_enabled=True, encryption_key=key)
    evaluation = only(evaluations_of(data, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "KMSMasterKeyID = Keys/Key/Resource (AWS::KMS::Key, customer managed)" in evaluation.evidence


def test_noncompliance_7_bucket_in_a_nested_stack_is_evaluated():
    stack = new_stack()
    nested = cdk.NestedStack(stack, "Nested")
    s3.Bucket(nested, "Bucket", encryption=s3.BucketEncryption.S3_MANAGED)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.resource.path == "Test/Nested/Bucket/Resource"
    assert evaluation.resource.stack.display_name == "Test/Nested"


def test_noncompliance_8_customer_managed_key_without_a_bucket_key():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    s3.Bucket(stack, "Bucket", encryption=s3.BucketEncryption.KMS, encryption_key=key, bucket_key_enabled=False)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "BucketKeyEnabled = false" in evaluation.evidence
