import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito

from constructs_lib.identity import UserPools
from nag_rules import Status
from nag_rules.rules.cognito_admin_mfa import RULE
from tests.helpers import evaluations_of, new_stack, only

TOTP_ONLY = cognito.MfaSecondFactor(sms=False, otp=True)


def pool(scope, construct_id: str, audience: str | None, **props):
    user_pool = cognito.UserPool(scope, construct_id, **props)
    if audience is not None:
        cdk.Tags.of(user_pool).add("UserPoolAudience", audience)
    return user_pool


def test_noncompliance_1_administrators_with_optional_mfa():
    stack = new_stack()
    pool(stack, "Admins", "administrators", mfa=cognito.Mfa.OPTIONAL, mfa_second_factor=TOTP_ONLY)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("UserPoolAudience = administrators: MfaConfiguration = OPTIONAL; administrators "
                                   "must always use MFA (ON)")


def test_noncompliance_2_administrators_may_fall_back_to_sms():
    stack = new_stack()
    pool(stack, "Admins", "administrators", mfa=cognito.Mfa.REQUIRED,
         mfa_second_factor=cognito.MfaSecondFactor(sms=True, otp=True))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "EnabledMfas also offers SMS_MFA" in evaluation.evidence


def test_noncompliance_3_untagged_pool_is_judged_as_administrators():
    stack = new_stack()
    pool(stack, "Pool", None)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("no UserPoolAudience tag: cannot tell whether it holds administrators, so "
                                          "judged as an administrators' pool: MfaConfiguration = OFF")


def test_noncompliance_4_required_sms_only():
    stack = new_stack()
    cognito.CfnUserPool(stack, "Admins", user_pool_tags={"UserPoolAudience": "administrators"},
                        mfa_configuration="ON", enabled_mfas=["SMS_MFA"])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert 'EnabledMfas = ["SMS_MFA"] has no SOFTWARE_TOKEN_MFA' in evaluation.evidence


def test_compliance_1_user_pools_construct():
    stack = new_stack()
    UserPools(stack, "Pools", name="tomo")
    evaluation = only(evaluations_of(stack, RULE))  # the users' pool is not evaluated
    assert evaluation.resource.path == "Test/Pools/Administrators/Resource"
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ('UserPoolAudience = administrators; MfaConfiguration = ON; '
                                   'EnabledMfas = ["SOFTWARE_TOKEN_MFA"]')


def test_compliance_2_users_pool_may_leave_mfa_off():
    stack = new_stack()
    pool(stack, "Users", "users", mfa=cognito.Mfa.OFF)
    assert evaluations_of(stack, RULE) == []


def test_unresolved_1_mfa_chosen_by_a_parameter():
    stack = new_stack()
    mfa = cdk.CfnParameter(stack, "Mfa", allowed_values=["ON", "OPTIONAL"])
    admins = pool(stack, "Admins", "administrators", mfa=cognito.Mfa.REQUIRED, mfa_second_factor=TOTP_ONLY)
    admins.node.default_child.mfa_configuration = mfa.value_as_string
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert evaluation.evidence == 'MfaConfiguration = {"Ref":"Mfa"}'


def test_unresolved_2_audience_from_a_parameter():
    stack = new_stack()
    audience = cdk.CfnParameter(stack, "Audience")
    pool(stack, "Pool", audience.value_as_string)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert evaluation.evidence == 'UserPoolAudience = {"Ref":"Audience"}'
