import aws_cdk as cdk
import pytest
from aws_cdk import assertions as A
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3

from constructs_lib import ManagedPolicyRole
from constructs_lib.iam import BreakGlassRole, PermissionsBoundary, apply_permissions_boundary, mfa_trust
from nag_rules import Status
from tests.helpers import evaluations_of, new_stack, only


def test_grants_land_in_a_customer_managed_policy_attached_to_the_role():
    stack = new_stack()
    role = ManagedPolicyRole(stack, "Role", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    s3.Bucket(stack, "Bucket").grant_read(role)
    role.add_to_policy(iam.PolicyStatement(actions=["sqs:SendMessage"],
                                           resources=["arn:aws:sqs:ap-northeast-1:123456789012:queue"]))
    template = A.Template.from_stack(stack)
    template.resource_count_is("AWS::IAM::Policy", 0)
    template.has_resource_properties("AWS::IAM::ManagedPolicy", {
        "Roles": [{"Ref": A.Match.string_like_regexp("^Role")}],
        "PolicyDocument": {"Statement": A.Match.array_with([
            A.Match.object_like({"Action": A.Match.array_with(["s3:GetObject*"])}),
            A.Match.object_like({"Action": "sqs:SendMessage"}),
        ])},
    })


def test_permissions_boundary_allows_all_but_identity_changes_and_switching_off_controls():
    stack = new_stack()
    PermissionsBoundary(stack, "Boundary")
    A.Template.from_stack(stack).has_resource_properties("AWS::IAM::ManagedPolicy", {
        "PolicyDocument": {"Statement": [
            {"Sid": "CappedByTheDenialsBelow", "Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Sid": "NoIdentityChanges", "Effect": "Deny", "Resource": "*", "Action": A.Match.array_with([
                "iam:Attach*", "iam:CreateAccessKey", "iam:CreatePolicyVersion", "iam:CreateRole", "iam:CreateUser",
                "iam:Delete*", "iam:Put*", "iam:Set*", "organizations:*"])},  # CDK sorts the actions
            {"Sid": "NoSwitchingOffControls", "Effect": "Deny", "Resource": "*", "Action": A.Match.array_with([
                "cloudtrail:StopLogging", "cognito-idp:SetUserPoolMfaConfig", "guardduty:Delete*",
                "kms:ScheduleKeyDeletion"])},
        ], "Version": "2012-10-17"},
    })


def test_apply_permissions_boundary_reaches_l2_and_plain_cfn_roles():
    stack = new_stack()
    iam.Role(stack, "Function", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    cdk.CfnResource(stack, "Provider", type="AWS::IAM::Role", properties={"AssumeRolePolicyDocument": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}],
    }})
    apply_permissions_boundary(stack, PermissionsBoundary(stack, "Boundary"))
    bounded = A.Template.from_stack(stack).find_resources("AWS::IAM::Role", {"Properties": {
        "PermissionsBoundary": {"Ref": A.Match.string_like_regexp("^Boundary")}}})
    assert len(bounded) == 2


def test_bounded_roles_pass_and_the_boundary_is_no_wildcard_grant():
    from nag_rules.rules import no_wildcard_admin_policy, role_permissions_boundary

    stack = new_stack()
    iam.Role(stack, "Function", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    apply_permissions_boundary(stack, PermissionsBoundary(stack, "Boundary"))
    assert only(evaluations_of(stack, role_permissions_boundary.RULE)).status is Status.COMPLIANT
    wildcard = {e.resource.type: e for e in evaluations_of(stack, no_wildcard_admin_policy.RULE)}
    assert wildcard["AWS::IAM::ManagedPolicy"].status is Status.COMPLIANT
    assert "only the PermissionsBoundary of Test/Function/Resource" in wildcard["AWS::IAM::ManagedPolicy"].evidence


def test_break_glass_role_is_never_bounded_lasts_an_hour_and_needs_fresh_mfa():
    stack = new_stack()
    BreakGlassRole(stack, "BreakGlass", identity_account="210987654321")
    apply_permissions_boundary(stack, PermissionsBoundary(stack, "Boundary"))
    A.Template.from_stack(stack).has_resource_properties("AWS::IAM::Role", {
        "MaxSessionDuration": 3600,
        "PermissionsBoundary": A.Match.absent(),
        "ManagedPolicyArns": [{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
                                                 ":iam::aws:policy/AdministratorAccess"]]}],
        "AssumeRolePolicyDocument": {"Statement": [{
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"},
                          "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
        }], "Version": "2012-10-17"},
    })


def test_break_glass_role_from_identity_center_says_why_mfa_is_not_in_its_trust():
    from nag_rules.rules import mfa_for_human_roles, no_wildcard_admin_policy

    stack = new_stack()
    BreakGlassRole(stack, "BreakGlass", permission_set="Administrators")
    A.Template.from_stack(stack).has_resource_properties("AWS::IAM::Role", {
        "MaxSessionDuration": 3600,
        "AssumeRolePolicyDocument": {"Statement": [A.Match.object_like({
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/aws-reserved/"
                                                          "sso.amazonaws.com/*AWSReservedSSO_Administrators_*"}},
        })], "Version": "2012-10-17"},
    })
    mfa = only(evaluations_of(stack, mfa_for_human_roles.RULE))
    assert mfa.status is Status.ACKNOWLEDGED
    assert "IAM Identity Center" in mfa.acknowledgement.justification
    assert only(evaluations_of(stack, no_wildcard_admin_policy.RULE)).status is Status.ACKNOWLEDGED


@pytest.mark.parametrize("arguments", [{}, {"permission_set": "Administrators", "identity_account": "210987654321"}])
def test_mfa_trust_takes_exactly_one_source(arguments):
    stack = new_stack()
    with pytest.raises(ValueError, match="exactly one of permission_set and identity_account"):
        mfa_trust(stack, **arguments)
    with pytest.raises(ValueError, match="exactly one of permission_set and identity_account"):
        BreakGlassRole(stack, "BreakGlass", **arguments)
