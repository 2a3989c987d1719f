from botocore.stub import Stubber

from compliance.audit.checks.s3_default_encryption_kms import CHECK
from compliance.audit.framework import Result

HERE = {"LocationConstraint": "ap-northeast-1"}


def _bucket(aws, name, algorithm, key=None):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration=HERE)
    default = {"SSEAlgorithm": algorithm, **({"KMSMasterKeyID": key} if key else {})}
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": True}]})


def test_pass_1_customer_managed_key(aws):
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    _bucket(aws, "records", "aws:kms", key)
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.PASS and finding.resource == "arn:aws:s3:::records"
    assert "SSEAlgorithm = aws:kms" in finding.evidence and "KeyManager = CUSTOMER" in finding.evidence


def test_fail_1_sse_s3_and_aws_managed_key(aws):
    _bucket(aws, "access-logs", "AES256")
    _bucket(aws, "aws-s3-key", "aws:kms")
    findings = {f.resource: f for f in CHECK.run(aws)}
    assert {f.result for f in findings.values()} == {Result.FAIL}
    assert "SSEAlgorithm = AES256" in findings["arn:aws:s3:::access-logs"].evidence
    assert "acknowledges" in findings["arn:aws:s3:::access-logs"].evidence
    assert "aws/s3" in findings["arn:aws:s3:::aws-s3-key"].evidence


def test_pass_2_buckets_of_other_regions_are_left_to_resources_in_japan(aws):
    aws.client("s3", "us-east-1").create_bucket(Bucket="elsewhere")
    assert CHECK.run(aws) == []


def test_unverified_1_encryption_denied(aws):
    aws.client("s3").create_bucket(Bucket="records", CreateBucketConfiguration=HERE)
    stub = Stubber(aws.client("s3"))
    stub.add_response("list_buckets", {"Buckets": [{"Name": "records"}]})
    stub.add_client_error("get_bucket_encryption", "AccessDenied")
    stub.activate()
    (finding,) = CHECK.run(aws)
    stub.assert_no_pending_responses()
    assert finding.result is Result.UNVERIFIED and "s3:GetBucketEncryption: access denied" in finding.evidence
