import pytest
from aws_cdk import assertions as A

from constructs_lib.identity import UserPools
from nag_rules import Status
from nag_rules.rules import cognito_admin_mfa, cognito_admin_pool_stronger
from tests.helpers import evaluations_of, new_stack

PASSWORDS = {"RequireLowercase": True, "RequireUppercase": True, "RequireNumbers": True, "RequireSymbols": True}


def template(**arguments) -> A.Template:
    stack = new_stack()
    UserPools(stack, "Pools", **{"name": "tomo", **arguments})
    return A.Template.from_stack(stack)


def test_administrators_pool_long_passwords_totp_only_mfa_and_threat_protection():
    template().has_resource_properties("AWS::Cognito::UserPool", {
        "UserPoolName": "tomo-administrators",
        "Policies": {"PasswordPolicy": {"MinimumLength": 16, "TemporaryPasswordValidityDays": 1, **PASSWORDS}},
        "MfaConfiguration": "ON",
        "EnabledMfas": ["SOFTWARE_TOKEN_MFA"],
        "UserPoolAddOns": {"AdvancedSecurityMode": "ENFORCED"},
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
        "AccountRecoverySetting": {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
        "DeletionProtection": "ACTIVE",
        "UserPoolTags": {"UserPoolAudience": "administrators", "DataClassification": "customer"},
    })


def test_users_pool_ten_characters_and_optional_totp():
    template().has_resource_properties("AWS::Cognito::UserPool", {
        "UserPoolName": "tomo-users",
        "Policies": {"PasswordPolicy": {"MinimumLength": 10, "TemporaryPasswordValidityDays": 1, **PASSWORDS}},
        "MfaConfiguration": "OPTIONAL",
        "EnabledMfas": ["SOFTWARE_TOKEN_MFA"],
        "DeletionProtection": "ACTIVE",
        "UserPoolTags": {"UserPoolAudience": "users", "DataClassification": "customer"},
    })


def test_both_pools_are_retained():
    pools = template().find_resources("AWS::Cognito::UserPool")
    assert len(pools) == 2
    assert {(p["DeletionPolicy"], p["UpdateReplacePolicy"]) for p in pools.values()} == {("Retain", "Retain")}


def test_customer_choices_are_applied():
    template(admin_password_length=20, user_password_length=12, temporary_password_days=3).has_resource_properties(
        "AWS::Cognito::UserPool", {
            "UserPoolTags": A.Match.object_like({"UserPoolAudience": "administrators"}),
            "Policies": {"PasswordPolicy": A.Match.object_like({"MinimumLength": 20,
                                                                 "TemporaryPasswordValidityDays": 3})},
        })


def test_clients_are_public_and_srp_only():
    found = template()
    found.resource_count_is("AWS::Cognito::UserPoolClient", 2)
    clients = found.find_resources("AWS::Cognito::UserPoolClient", {"Properties": {
        "GenerateSecret": False,
        "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "PreventUserExistenceErrors": "ENABLED",
        "AllowedOAuthFlowsUserPoolClient": False,
    }})
    assert len(clients) == 2
    found.has_resource_properties("AWS::Cognito::UserPoolClient", {
        "UserPoolId": {"Ref": A.Match.string_like_regexp("^PoolsAdministrators")},
        "RefreshTokenValidity": 12 * 60,
        "TokenValidityUnits": A.Match.object_like({"RefreshToken": "minutes"}),
    })


@pytest.mark.parametrize(("arguments", "words"), [
    ({"user_password_length": 9}, ["user_password_length=9", "from 10 to 99"]),
    ({"admin_password_length": 15}, ["admin_password_length=15", "from 16 to 99"]),
    ({"user_password_length": 20, "admin_password_length": 18},
     ["admin_password_length=18", "from 20 to 99", "at least user_password_length (20)"]),
    ({"temporary_password_days": 0}, ["temporary_password_days=0", "from 1 to 3"]),
    ({"temporary_password_days": 4}, ["temporary_password_days=4", "from 1 to 3"]),
    ({"temporary_password_days": True}, ["temporary_password_days=True", "an integer"]),
    ({"name": ""}, ["name=''", "a non-empty name"]),
    ({"name": "  "}, ["name='  '", "a non-empty name"]),
])
def test_bad_arguments_name_the_argument_and_the_allowed_values(arguments, words):
    with pytest.raises(ValueError) as raised:
        UserPools(new_stack(), "Pools", **{"name": "tomo", **arguments})
    for word in words:
        assert word in str(raised.value)


def test_both_cognito_rules_pass():
    stack = new_stack()
    UserPools(stack, "Pools", name="tomo")
    strength = evaluations_of(stack, cognito_admin_pool_stronger.RULE)
    mfa = evaluations_of(stack, cognito_admin_mfa.RULE)
    assert len(strength) == 2 and len(mfa) == 1
    assert {e.status for e in strength + mfa} == {Status.COMPLIANT}
