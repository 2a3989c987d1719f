import aws_cdk as cdk
from aws_cdk import aws_kms as kms

from nag_rules import Status
from nag_rules.rules.kms_key_rotation import RULE
from tests.helpers import evaluations_of, new_stack, only


def test_noncompliance_1_rotation_off():
    stack = new_stack()
    kms.Key(stack, "Key", enable_key_rotation=False)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "EnableKeyRotation = false"


def test_noncompliance_2_rotation_absent():
    stack = new_stack()
    kms.CfnKey(stack, "Key", key_policy={"Version": "2012-10-17", "Statement": []})
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "absent" in evaluation.evidence


def test_noncompliance_3_imported_key_material():
    stack = new_stack()
    kms.CfnKey(stack, "Key", origin="EXTERNAL", enable_key_rotation=False,
               key_policy={"Version": "2012-10-17", "Statement": []})
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "EXTERNAL" in evaluation.evidence


def test_noncompliance_4_rotation_switched_by_a_parameter_is_unresolved():
    stack = new_stack()
    flag = cdk.CfnParameter(stack, "Rotate", type="String")
    kms.CfnKey(stack, "Key", enable_key_rotation=cdk.Token.as_any(flag.value_as_string),
               key_policy={"Version": "2012-10-17", "Statement": []})
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def test_noncompliance_5_rotation_every_two_years():
    stack = new_stack()
    kms.Key(stack, "Key", enable_key_rotation=True, rotation_period=cdk.Duration.days(730))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "RotationPeriodInDays = 730" in evaluation.evidence


def test_noncompliance_6_rotation_period_from_a_parameter_is_unresolved():
    stack = new_stack()
    days = cdk.CfnParameter(stack, "Days", type="Number")
    kms.CfnKey(stack, "Key", enable_key_rotation=True, rotation_period_in_days=days.value_as_number,
               key_policy={"Version": "2012-10-17", "Statement": []})
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def test_compliance_1_rotation_on_with_the_default_period():
    stack = new_stack()
    kms.Key(stack, "Key", enable_key_rotation=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "EnableKeyRotation = true; RotationPeriodInDays absent: AWS rotates every 365 days"


def test_compliance_3_rotation_yearly():
    stack = new_stack()
    kms.Key(stack, "Key", enable_key_rotation=True, rotation_period=cdk.Duration.days(365))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "EnableKeyRotation = true; RotationPeriodInDays = 365"


def test_compliance_2_asymmetric_keys_are_not_applicable():
    stack = new_stack()
    kms.Key(stack, "Signing", key_spec=kms.KeySpec.RSA_2048, key_usage=kms.KeyUsage.SIGN_VERIFY)
    assert evaluations_of(stack, RULE) == []
