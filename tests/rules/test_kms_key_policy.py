import json

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms

from nag_rules import Status
from nag_rules.rules.kms_key_policy import RULE
from tests.helpers import evaluations_of, new_stack, only

ROOT = "arn:aws:iam::123456789012:root"
ADMIN = ["kms:CreateAlias", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
         "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
         "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand"]
DATA = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant"]


def _statement(actions, principal=None, conditions=None, sid=None):
    return iam.PolicyStatement(sid=sid, actions=actions, resources=["*"], conditions=conditions,
                               principals=[principal or iam.AccountRootPrincipal()])


def _key(stack, *statements):
    return kms.Key(stack, "Key", enable_key_rotation=True, policy=iam.PolicyDocument(statements=list(statements)))


def _json_key(stack, *statements):
    key = kms.CfnKey(stack, "Key", enable_key_rotation=True, key_policy={})
    key.add_property_override("KeyPolicy", json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))


def _evaluate(stack):
    return only(evaluations_of(stack, RULE))


def _root_admin():
    return _statement(["kms:CreateAlias", "kms:Describe*", "kms:Put*", "kms:ScheduleKeyDeletion"], sid="Admin")


def _anyone_decrypts(stack, conditions):
    _key(stack, _root_admin(), _statement(["kms:Decrypt"], iam.AnyPrincipal(), conditions, sid="Anyone"))
    return _evaluate(stack)


def test_noncompliance_1_anyone_may_decrypt():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    key.add_to_resource_policy(iam.PolicyStatement(sid="Open", actions=["kms:Decrypt"], resources=["*"],
                                                   principals=[iam.AnyPrincipal()]))
    evaluation = _evaluate(stack)
    assert evaluation.status is Status.VIOLATED and "statement Open" in evaluation.evidence


def test_noncompliance_2_not_principal():
    stack = new_stack()
    _key(stack, _root_admin(), iam.PolicyStatement(sid="AllButRoot", actions=["kms:Decrypt"], resources=["*"],
                                                   not_principals=[iam.AccountRootPrincipal()]))
    evaluation = _evaluate(stack)
    assert evaluation.status is Status.VIOLATED
    assert "NotPrincipal" in evaluation.evidence and "statement AllButRoot" in evaluation.evidence


def test_noncompliance_3_policy_as_json_text_open_to_anyone():
    stack = new_stack()
    _json_key(stack, {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"})
    evaluation = _evaluate(stack)
    assert evaluation.status is Status.VIOLATED and "statement Open" in evaluation.evidence


def test_noncompliance_4_string_not_equals_own_account_does_not_pin():
    evaluation = _anyone_decrypts(new_stack(), {"StringNotEquals": {"aws:PrincipalAccount": "123456789012"}})
    assert evaluation.status is Status.VIOLATED
    assert "StringNotEquals aws:PrincipalAccount" in evaluation.evidence


def test_noncompliance_5_if_exists_does_not_pin():
    evaluation = _anyone_decrypts(new_stack(), {"StringEqualsIfExists": {"aws:SourceAccount": "123456789012"}})
    assert evaluation.status is Status.VIOLATED
    assert "StringEqualsIfExists aws:SourceAccount" in evaluation.evidence


def test_noncompliance_6_string_like_wildcard_does_not_pin():
    evaluation = _anyone_decrypts(new_stack(), {"StringLike": {"kms:CallerAccount": "*"}})
    assert evaluation.status is Status.VIOLATED and "StringLike kms:CallerAccount" in evaluation.evidence


def test_noncompliance_7_pinned_to_another_account_or_an_organisation():
    evaluation = _anyone_decrypts(new_stack(), {"StringEquals": {"kms:CallerAccount": "999999999999"}})
    assert evaluation.status is Status.VIOLATED and "not only account 123456789012" in evaluation.evidence
    evaluation = _anyone_decrypts(new_stack(), {"StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}})
    assert evaluation.status is Status.VIOLATED and "every account of the organisation" in evaluation.evidence
    evaluation = _anyone_decrypts(new_stack(), {"ArnLike": {"aws:SourceArn": "arn:aws:logs:*:*:*"}})
    assert evaluation.status is Status.VIOLATED


def test_noncompliance_8_another_accounts_root():
    stack = new_stack()
    _key(stack, _root_admin(), _statement(["kms:*"], iam.AccountPrincipal("999999999999"), sid="Partner"))
    evaluation = _evaluate(stack)
    assert evaluation.status is Status.VIOLATED
    assert "arn:aws:iam::999999999999:root" in evaluation.evidence and "statement Partner" in evaluation.evidence


def test_noncompliance_9_cdk_default_policy_lets_root_decrypt():
    stack = new_stack()
    kms.Key(stack, "Key", enable_key_rotation=True)
    evaluation = _evaluate(stack)
    assert evaluation.status is Status.VIOLATED
    assert "the account root may use the key for data (kms:*) without kms:ViaService or aws:PrincipalArn" in (
        evaluation.evidence)


def test_noncompliance_10_root_data_use_by_wildcard_actions_or_weak_conditions():
    for actions, conditions in [
        (["kms:Re*"], None),
        (["kms:Create*"], None),
        (["kms:gen*"], None),
        (["*"], None),
        (["kms:Decrypt"], {"Bool": {"kms:GrantIsForAWSResource": "true"}}),
        (["kms:Decrypt"], {"StringLike": {"kms:ViaService": "*.amazonaws.com"}}),
        (["kms:Decrypt"], {"StringEqualsIfExists": {"kms:ViaService": "rds.ap-northeast-1.amazonaws.com"}}),
        (["kms:Decrypt"], {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/*"}}),
        (["kms:Decrypt"], {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::999999999999:role/p-*"}}),
    ]:
        stack = new_stack()
        _key(stack, _root_admin(), _statement(actions, conditions=conditions, sid="Data"))
        evaluation = _evaluate(stack)
        assert evaluation.status is Status.VIOLATED, (actions, conditions)
        assert f"the account root may use the key for data ({actions[0]})" in evaluation.evidence


def test_noncompliance_11_whole_account_decrypts_without_via_service():
    evaluation = _anyone_decrypts(new_stack(), {"StringEquals": {"kms:CallerAccount": "123456789012"}})
    assert evaluation.status is Status.VIOLATED
    assert "any principal of account 123456789012 may use the key for data (kms:Decrypt)" in evaluation.evidence


def test_noncompliance_12_pinning_account_known_only_at_deploy_time_is_unresolved():
    stack = new_stack()
    account = cdk.CfnParameter(stack, "Account", type="String")
    evaluation = _anyone_decrypts(stack, {"StringEquals": {"kms:CallerAccount": account.value_as_string}})
    assert evaluation.status is Status.UNRESOLVED


def test_noncompliance_13_principal_known_only_at_deploy_time_is_unresolved():
    stack = new_stack()
    partner = cdk.CfnParameter(stack, "Partner", type="String")
    _key(stack, _root_admin(), _statement(["kms:Decrypt"], iam.ArnPrincipal(partner.value_as_string)))
    assert _evaluate(stack).status is Status.UNRESOLVED


def test_noncompliance_14_root_action_known_only_at_deploy_time_is_unresolved():
    stack = new_stack()
    action = cdk.CfnParameter(stack, "Action", type="String")
    _key(stack, _root_admin(), _statement([action.value_as_string], sid="Data"))
    evaluation = _evaluate(stack)
    assert evaluation.status is Status.UNRESOLVED and "statement Data: Action" in evaluation.evidence


def test_noncompliance_15_another_account_outweighs_an_unknown_principal():
    stack = new_stack()
    partner = cdk.CfnParameter(stack, "Partner", type="String")
    _key(stack, _root_admin(), iam.PolicyStatement(
        actions=["kms:Decrypt"], resources=["*"],
        principals=[iam.ArnPrincipal(partner.value_as_string), iam.AccountPrincipal("999999999999")]))
    evaluation = _evaluate(stack)
    assert evaluation.status is Status.VIOLATED and "999999999999" in evaluation.evidence


def test_noncompliance_16_key_policy_from_a_parameter_is_unresolved():
    stack = new_stack()
    policy = cdk.CfnParameter(stack, "Policy", type="String")
    kms.CfnKey(stack, "Key", enable_key_rotation=True, key_policy=policy.value_as_string)
    assert _evaluate(stack).status is Status.UNRESOLVED


def test_compliance_1_root_data_use_via_services():
    stack = new_stack()
    _key(stack, _root_admin(), _statement(DATA, conditions={
        "StringEquals": {"kms:ViaService": ["rds.ap-northeast-1.amazonaws.com", "s3.ap-northeast-1.amazonaws.com"]},
    }))
    evaluation = _evaluate(stack)
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "admin: root (CreateAlias, Describe*, Put*, …). data use: root via rds, s3"


def test_compliance_2_root_data_use_as_the_apps_roles():
    stack = new_stack()
    _key(stack, _root_admin(), _statement(DATA, conditions={
        "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/tomolinks-example-*"},
    }))
    evaluation = _evaluate(stack)
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.endswith("data use: root as role/tomolinks-example-*")


def test_compliance_3_admin_data_roles_and_logs_separated():
    stack = new_stack()
    _key(
        stack,
        _statement(ADMIN, sid="Admin"),
        _statement(DATA, conditions={"StringEquals": {
            "kms:ViaService": ["rds.ap-northeast-1.amazonaws.com", "s3.ap-northeast-1.amazonaws.com",
                               "dynamodb.ap-northeast-1.amazonaws.com", "sns.ap-northeast-1.amazonaws.com"],
            "kms:CallerAccount": "123456789012",
        }}),
        _statement(DATA, conditions={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/p-*"}}),
        _statement(["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                   iam.ServicePrincipal("logs.ap-northeast-1.amazonaws.com"), {"ArnLike": {
                       "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:ap-northeast-1:123456789012:log-group:*"}}),
    )
    evaluation = _evaluate(stack)
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == (
        "admin: root (CancelKeyDeletion, CreateAlias, Delete*, …). "
        "data use: root via rds, s3, dynamodb, … (CallerAccount = this account); root as role/p-*; "
        "logs.ap-northeast-1.amazonaws.com (encryption context aws:logs:arn)")


def test_compliance_4_whole_account_via_services_like_an_aws_managed_key():
    evaluation = _anyone_decrypts(new_stack(), {"StringEquals": {
        "kms:CallerAccount": "123456789012", "kms:ViaService": "secretsmanager.ap-northeast-1.amazonaws.com"}})
    assert evaluation.status is Status.COMPLIANT
    assert "data use: any principal of the account via secretsmanager" in evaluation.evidence


def test_compliance_5_pinned_by_arn_like_source_arn():
    evaluation = _anyone_decrypts(new_stack(), {
        "ArnLike": {"aws:SourceArn": "arn:aws:logs:ap-northeast-1:123456789012:*"},
        "StringEquals": {"kms:ViaService": "logs.ap-northeast-1.amazonaws.com"}})
    assert evaluation.status is Status.COMPLIANT
    assert "any principal of the account via logs (SourceArn arn:aws:logs:ap-northeast-1:" in evaluation.evidence


def test_compliance_6_roles_of_the_account_and_services():
    stack = new_stack()
    role = iam.Role(stack, "Reader", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    linked = ("arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/"
              "AWSServiceRoleForAutoScaling_tomolinks-example")
    _key(stack, _root_admin(),
         _statement(["kms:Decrypt"], role),
         _statement(DATA, iam.ArnPrincipal(linked)),
         _statement(["kms:GenerateDataKey*"], iam.ServicePrincipal("delivery.logs.amazonaws.com"),
                    {"StringEquals": {"aws:SourceAccount": "123456789012"}}))
    evaluation = _evaluate(stack)
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.endswith(
        "data use: Test/Reader/Resource; service-linked role AWSServiceRoleForAutoScaling_tomolinks-example; "
        "delivery.logs.amazonaws.com (SourceAccount = this account)")


def test_compliance_7_root_joined_from_the_account_id():
    stack = new_stack()
    root = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":root"]]}
    kms.CfnKey(stack, "Key", enable_key_rotation=True, key_policy={
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": root}, "Action": ADMIN, "Resource": "*"},
                      {"Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:Decrypt", "Resource": "*",
                       "Condition": {"StringEquals": {"kms:ViaService": {"Fn::Join": [
                           ".", ["rds", {"Ref": "AWS::Region"}, "amazonaws.com"]]}}}}],
    })
    evaluation = _evaluate(stack)
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.endswith("data use: root via rds")


def test_compliance_9_long_policies_are_cut_at_an_entry():
    stack = new_stack()
    _key(stack, _root_admin(), *[_statement(["kms:Decrypt"], iam.ServicePrincipal(f"service{n}.amazonaws.com"), {
        "StringEquals": {"aws:SourceAccount": "123456789012"}}) for n in range(20)])
    evaluation = _evaluate(stack)
    assert evaluation.status is Status.COMPLIANT
    assert len(evaluation.evidence) <= 400 and evaluation.evidence.endswith("this account); …")


def test_compliance_8_policy_as_json_text():
    stack = new_stack()
    _json_key(stack, {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": ADMIN, "Resource": "*"})
    evaluation = _evaluate(stack)
    assert evaluation.status is Status.COMPLIANT and evaluation.evidence.startswith("admin: root (CreateAlias")
