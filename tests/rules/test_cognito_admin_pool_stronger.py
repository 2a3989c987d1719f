import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito

from constructs_lib.identity import UserPools
from nag_rules import Status
from nag_rules.rules.cognito_admin_pool_stronger import RULE
from tests.helpers import TOKYO, evaluations_of, new_app, new_stack, only


def pool(scope, construct_id: str, audience: str | None, min_length: int = 16, days: int = 1, **policy):
    user_pool = cognito.UserPool(scope, construct_id, password_policy=cognito.PasswordPolicy(
        min_length=min_length, temp_password_validity=cdk.Duration.days(days), **{
            "require_lowercase": True, "require_uppercase": True, "require_digits": True, "require_symbols": True,
            **policy}))
    if audience is not None:
        cdk.Tags.of(user_pool).add("UserPoolAudience", audience)
    return user_pool


def of(evaluations, construct_id: str):
    return only([e for e in evaluations if f"/{construct_id}/" in f"/{e.resource.path}/"])


def test_noncompliance_1_administrators_below_sixteen():
    stack = new_stack()
    pool(stack, "Admins", "administrators", min_length=12)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "UserPoolAudience = administrators: PasswordPolicy.MinimumLength = 12 (< 16)"


def test_noncompliance_2_users_below_ten():
    stack = new_stack()
    pool(stack, "Users", "users", min_length=8)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "UserPoolAudience = users: PasswordPolicy.MinimumLength = 8 (< 10)"


def test_noncompliance_3_untagged_pool_cannot_be_judged():
    stack = new_stack()
    pool(stack, "Pool", None)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("no UserPoolAudience tag")


def test_noncompliance_4_unknown_audience():
    stack = new_stack()
    pool(stack, "Pool", "teachers")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "UserPoolAudience = teachers; allowed: administrators, users"


def test_noncompliance_5_cognito_default_temporary_passwords_last_a_week():
    stack = new_stack()
    cognito.CfnUserPool(stack, "Admins", user_pool_tags={"UserPoolAudience": "administrators"},
                        policies=cognito.CfnUserPool.PoliciesProperty(
                            password_policy=cognito.CfnUserPool.PasswordPolicyProperty(minimum_length=16)))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("UserPoolAudience = administrators: PasswordPolicy.TemporaryPasswordValidityDays "
                                   "= 7 (Cognito default) (> 3)")


def test_noncompliance_6_no_password_policy_is_cognito_default_length():
    stack = new_stack()
    cognito.CfnUserPool(stack, "Users", user_pool_tags={"UserPoolAudience": "users"})
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "PasswordPolicy.MinimumLength = 8 (Cognito default) (< 10)" in evaluation.evidence


def test_noncompliance_7_administrators_without_symbols():
    stack = new_stack()
    pool(stack, "Admins", "administrators", require_symbols=False)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("PasswordPolicy.RequireSymbols = false: administrators' passwords need")


def test_noncompliance_8_administrators_shorter_than_users():
    stack = new_stack()
    pool(stack, "Admins", "administrators", min_length=16)
    pool(stack, "Users", "users", min_length=20)
    evaluations = evaluations_of(stack, RULE)
    assert of(evaluations, "Users").status is Status.COMPLIANT
    admins = of(evaluations, "Admins")
    assert admins.status is Status.VIOLATED
    assert admins.evidence == ("administrators' pool weaker than its users': MinimumLength = 16 is shorter than users "
                               "pool Test/Users/Resource's 20")


def test_noncompliance_9_administrators_temporary_passwords_outlive_users():
    stack = new_stack()
    pool(stack, "Admins", "administrators", days=3)
    pool(stack, "Users", "users", min_length=10, days=1)
    admins = of(evaluations_of(stack, RULE), "Admins")
    assert admins.status is Status.VIOLATED
    assert "TemporaryPasswordValidityDays = 3 is longer than users pool Test/Users/Resource's 1" in admins.evidence


def test_noncompliance_10_users_pool_in_another_stack_of_the_same_account_and_region():
    app = new_app()
    admins = cdk.Stack(app, "Admins", env=TOKYO)
    pool(admins, "Pool", "administrators", min_length=16)
    users = cdk.Stack(app, "Users", env=TOKYO)
    pool(users, "Pool", "users", min_length=24)
    evaluation = only(evaluations_of(admins, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "shorter than users pool Users/Pool/Resource's 24" in evaluation.evidence


def test_compliance_1_user_pools_construct():
    stack = new_stack()
    UserPools(stack, "Pools", name="tomo")
    evaluations = evaluations_of(stack, RULE)
    admins, users = of(evaluations, "Administrators"), of(evaluations, "Users")
    assert admins.status is users.status is Status.COMPLIANT
    assert admins.evidence == (
        "UserPoolAudience = administrators; PasswordPolicy.MinimumLength = 16 (>= 16); "
        "PasswordPolicy.TemporaryPasswordValidityDays = 1 (<= 3); RequireLowercase = true, RequireUppercase = true, "
        "RequireNumbers = true, RequireSymbols = true; compared with users pool Test/Pools/Users/Resource: "
        "MinimumLength = 10, TemporaryPasswordValidityDays = 1")
    assert users.evidence == ("UserPoolAudience = users; PasswordPolicy.MinimumLength = 10 (>= 10); "
                              "PasswordPolicy.TemporaryPasswordValidityDays = 1 (<= 3)")


def test_compliance_2_stronger_customer_choice():
    stack = new_stack()
    UserPools(stack, "Pools", name="tomo", admin_password_length=24, user_password_length=20,
              temporary_password_days=3)
    evaluations = evaluations_of(stack, RULE)
    assert {e.status for e in evaluations} == {Status.COMPLIANT}
    assert "MinimumLength = 24 (>= 16)" in of(evaluations, "Administrators").evidence


def test_compliance_3_administrators_alone_say_nothing_was_compared():
    stack = new_stack()
    pool(stack, "Admins", "administrators")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.endswith("no pool tagged UserPoolAudience = users in this account and region to "
                                        "compare with")


def test_compliance_4_users_pool_of_another_region_is_not_compared():
    app = new_app()
    admins = cdk.Stack(app, "Admins", env=TOKYO)
    pool(admins, "Pool", "administrators", min_length=16)
    osaka = cdk.Stack(app, "Users", env=cdk.Environment(account=TOKYO.account, region="ap-northeast-3"))
    pool(osaka, "Pool", "users", min_length=24)
    evaluation = only(evaluations_of(admins, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "no pool tagged UserPoolAudience = users" in evaluation.evidence


def test_unresolved_1_length_from_a_parameter():
    stack = new_stack()
    length = cdk.CfnParameter(stack, "Length", type="Number")
    admins = pool(stack, "Admins", "administrators")  # UserPool refuses a token length: set it on the L1
    admins.node.default_child.add_property_override("Policies.PasswordPolicy.MinimumLength", length.value_as_number)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert evaluation.evidence == 'PasswordPolicy.MinimumLength = {"Ref":"Length"}'


def test_unresolved_2_users_pool_length_from_a_parameter():
    stack = new_stack()
    length = cdk.CfnParameter(stack, "Length", type="Number")
    pool(stack, "Admins", "administrators")
    users = pool(stack, "Users", "users")
    users.node.default_child.add_property_override("Policies.PasswordPolicy.MinimumLength", length.value_as_number)
    evaluations = evaluations_of(stack, RULE)
    assert of(evaluations, "Users").status is Status.UNRESOLVED
    admins = of(evaluations, "Admins")
    assert admins.status is Status.UNRESOLVED
    assert admins.evidence == 'users pool Test/Users/Resource: PasswordPolicy.MinimumLength = {"Ref":"Length"}'


def test_unresolved_3_whole_policy_chosen_by_a_condition():
    stack = new_stack()
    strict = cdk.CfnCondition(stack, "Strict", expression=cdk.Fn.condition_equals(cdk.Aws.REGION, "ap-northeast-1"))
    policies = cdk.Fn.condition_if(strict.logical_id, {"PasswordPolicy": {"MinimumLength": 16}},
                                   {"PasswordPolicy": {"MinimumLength": 8}})
    cognito.CfnUserPool(stack, "Admins", user_pool_tags={"UserPoolAudience": "administrators"}, policies=policies)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert evaluation.evidence.startswith('Policies = {"Fn::If"')


def test_unresolved_4_audience_from_a_parameter():
    stack = new_stack()
    audience = cdk.CfnParameter(stack, "Audience")
    pool(stack, "Pool", audience.value_as_string)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert evaluation.evidence == 'UserPoolAudience = {"Ref":"Audience"}'
