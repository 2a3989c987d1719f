"""moto does not implement GetEbsDefaultKmsKeyId: the EC2 answers are stubbed, the key is moto's."""

import pytest
from botocore.stub import Stubber

from compliance.audit.checks.ebs_encryption_by_default import CHECK
from compliance.audit.framework import Result, Unverifiable


def _ec2(aws, enabled, key=None, error=None):
    stub = Stubber(aws.client("ec2"))
    stub.add_response("get_ebs_encryption_by_default", {"EbsEncryptionByDefault": enabled})
    if error:
        stub.add_client_error("get_ebs_default_kms_key_id", error)
    else:
        stub.add_response("get_ebs_default_kms_key_id", {"KmsKeyId": key})
    stub.activate()


def test_pass_1_customer_managed_default_key(aws):
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    _ec2(aws, True, key)
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.PASS and finding.resource == "123456789012/ap-northeast-1"
    assert "EbsEncryptionByDefault = True" in finding.evidence and f"KmsKeyId = {key}" in finding.evidence


def test_fail_1_aws_managed_key(aws):
    _ec2(aws, True, "alias/aws/ebs")
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and "KmsKeyId = alias/aws/ebs" in finding.evidence


def test_fail_2_not_enabled(aws):
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    _ec2(aws, False, key)
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and "EbsEncryptionByDefault = False" in finding.evidence


def test_unverified_1_key_throttled(aws):
    """The runner turns the escaping Unverifiable into one unverified finding for the check."""
    _ec2(aws, True, error="RequestLimitExceeded")
    with pytest.raises(Unverifiable, match="ec2:GetEbsDefaultKmsKeyId: throttled"):
        CHECK.run(aws)
