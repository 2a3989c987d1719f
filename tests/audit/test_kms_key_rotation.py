from compliance.audit.checks.kms_key_rotation import CHECK
from compliance.audit.framework import Result


def test_fail_1_customer_key_without_rotation(aws):
    key = aws.client("kms").create_key()["KeyMetadata"]
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and finding.resource == key["Arn"]
    assert "KeyRotationEnabled = False" in finding.evidence


def test_pass_1_rotated_customer_key(aws):
    kms = aws.client("kms")
    key = kms.create_key()["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.PASS and "KeyRotationEnabled = True" in finding.evidence


def test_pass_2_disabled_and_asymmetric_keys_are_not_judged(aws):
    kms = aws.client("kms")
    kms.disable_key(KeyId=kms.create_key()["KeyMetadata"]["KeyId"])
    kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    assert CHECK.run(aws) == []
