from aws_cdk import aws_kms as kms

from nag_rules import Status
from nag_rules.rules.approved_algorithms import RULE
from tests.helpers import evaluations_of, new_stack, only


def test_noncompliance_1_unknown_key_spec():
    stack = new_stack()
    kms.CfnKey(stack, "Key", key_spec="SM2", key_usage="SIGN_VERIFY",
               key_policy={"Version": "2012-10-17", "Statement": []})
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "SM2" in evaluation.evidence


def test_compliance_1_symmetric_default_is_aes_256_gcm():
    stack = new_stack()
    kms.Key(stack, "Key", enable_key_rotation=True)
    assert only(evaluations_of(stack, RULE)).evidence == (
        "KeySpec = SYMMETRIC_DEFAULT: AES-256-GCM, in AWS KMS hardware security modules")


def test_compliance_2_signing_key():
    stack = new_stack()
    kms.Key(stack, "Key", key_spec=kms.KeySpec.ECC_NIST_P256, key_usage=kms.KeyUsage.SIGN_VERIFY)
    assert "ECDSA P-256" in only(evaluations_of(stack, RULE)).evidence
