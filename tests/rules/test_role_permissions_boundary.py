import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from constructs_lib.iam import BreakGlassRole, PermissionsBoundary, apply_permissions_boundary
from nag_rules import Status
from nag_rules.rules.role_permissions_boundary import REQUIRED_DENIALS, RULE
from tests.helpers import TOKYO, evaluations_of, new_app, new_stack, only

LAMBDA = iam.ServicePrincipal("lambda.amazonaws.com")
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}


def test_noncompliance_1_service_role_without_a_boundary():
    stack = new_stack()
    iam.Role(stack, "Function", assumed_by=LAMBDA)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ('assumed only by ["lambda.amazonaws.com"], with no PermissionsBoundary: nothing '
                                   'caps what its policies may grant')


def test_noncompliance_2_boundary_without_the_denials():
    stack = new_stack()
    boundary = iam.ManagedPolicy(stack, "Boundary", statements=[
        iam.PolicyStatement(actions=["*"], resources=["*"]),
        iam.PolicyStatement(effect=iam.Effect.DENY, actions=["iam:CreateRole", "iam:CreateUser"], resources=["*"]),
    ])
    iam.Role(stack, "Function", assumed_by=LAMBDA, permissions_boundary=boundary)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith('assumed only by ["lambda.amazonaws.com"]; PermissionsBoundary '
                                          "Test/Boundary/Resource lets it call iam:AttachRolePolicy, iam:PutRolePolicy")
    assert "iam:CreateRole," not in evaluation.evidence
    assert "iam:DeleteRolePermissionsBoundary" in evaluation.evidence


def test_noncompliance_3_conditional_denial_is_no_denial():
    stack = new_stack()
    boundary = iam.ManagedPolicy(stack, "Boundary", statements=[
        iam.PolicyStatement(actions=["*"], resources=["*"]),
        iam.PolicyStatement(effect=iam.Effect.DENY, actions=["iam:*"], resources=["*"],
                            conditions={"StringEquals": {"aws:RequestedRegion": "us-east-1"}}),
    ])
    iam.Role(stack, "Function", assumed_by=LAMBDA, permissions_boundary=boundary)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert f"lets it call {', '.join(REQUIRED_DENIALS)}" in evaluation.evidence


def test_noncompliance_4_custom_resource_role_left_out():
    stack = new_stack()
    cdk.CfnResource(stack, "Provider", type="AWS::IAM::Role", properties={"AssumeRolePolicyDocument": TRUST})
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_compliance_1_permissions_boundary_construct():
    stack = new_stack()
    iam.Role(stack, "Function", assumed_by=LAMBDA)
    cdk.CfnResource(stack, "Provider", type="AWS::IAM::Role", properties={"AssumeRolePolicyDocument": TRUST})
    apply_permissions_boundary(stack, PermissionsBoundary(stack, "Boundary"))
    evaluations = evaluations_of(stack, RULE)
    assert sorted(e.resource.path for e in evaluations) == ["Test/Function/Resource", "Test/Provider"]
    assert {e.status for e in evaluations} == {Status.COMPLIANT}
    assert evaluations[0].evidence == (
        'assumed only by ["lambda.amazonaws.com"]; PermissionsBoundary = Test/Boundary/Resource, which holds back '
        f"{', '.join(REQUIRED_DENIALS)} (denied by NoIdentityChanges)")


def test_compliance_2_boundary_that_never_allows_identity_changes():
    stack = new_stack()
    boundary = iam.ManagedPolicy(stack, "Boundary", statements=[
        iam.PolicyStatement(actions=["s3:*", "logs:*"], resources=["*"]),
        iam.PolicyStatement(sid="NoUsers", effect=iam.Effect.DENY, not_actions=["s3:*", "logs:*", "iam:Create*"],
                            resources=["*"]),
    ])
    iam.Role(stack, "Function", assumed_by=LAMBDA, permissions_boundary=boundary)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "iam:CreateRole, iam:CreateUser, iam:CreateAccessKey, iam:CreatePolicyVersion (not allowed)" \
        in evaluation.evidence
    assert "iam:AttachRolePolicy, iam:PutRolePolicy" in evaluation.evidence
    assert "(denied by NoUsers)" in evaluation.evidence


def test_compliance_3_boundary_from_another_stack():
    app = new_app()
    shared = cdk.Stack(app, "Shared", env=TOKYO)
    boundary = PermissionsBoundary(shared, "Boundary")
    workload = cdk.Stack(app, "Workload", env=TOKYO)
    iam.Role(workload, "Function", assumed_by=LAMBDA, permissions_boundary=boundary)
    evaluation = only(evaluations_of(workload, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "PermissionsBoundary = Shared/Boundary/Resource" in evaluation.evidence


def test_unresolved_1_imported_boundary():
    stack = new_stack()
    iam.Role(stack, "Function", assumed_by=LAMBDA, permissions_boundary=iam.ManagedPolicy.from_managed_policy_arn(
        stack, "Boundary", "arn:aws:iam::123456789012:policy/boundary"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert evaluation.evidence == ("PermissionsBoundary = arn:aws:iam::123456789012:policy/boundary: a policy outside "
                                   "this app, whose denials cannot be read at synth time")


def test_unresolved_2_denied_actions_from_a_parameter():
    stack = new_stack()
    denied = cdk.CfnParameter(stack, "Denied")
    boundary = iam.ManagedPolicy(stack, "Boundary", statements=[
        iam.PolicyStatement(actions=["*"], resources=["*"]),
        iam.PolicyStatement(effect=iam.Effect.DENY, actions=[denied.value_as_string], resources=["*"]),
    ])
    iam.Role(stack, "Function", assumed_by=LAMBDA, permissions_boundary=boundary)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert evaluation.evidence == ("PermissionsBoundary Test/Boundary/Resource: whether it allows iam:CreateRole "
                                   "depends on deploy-time values")


def test_unresolved_3_trust_from_a_parameter():
    stack = new_stack()
    principal = cdk.CfnParameter(stack, "Principal")
    role = iam.Role(stack, "Function", assumed_by=LAMBDA)
    role.node.default_child.add_property_override("AssumeRolePolicyDocument.Statement.0.Principal",
                                                  principal.value_as_string)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert evaluation.evidence == 'trust policy Principal = {"Ref":"Principal"}'


def test_compliance_4_roles_people_assume_are_not_evaluated():
    stack = new_stack()
    iam.Role(stack, "Operator", assumed_by=iam.AccountRootPrincipal().with_conditions(
        {"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    iam.Role(stack, "Mixed", assumed_by=iam.CompositePrincipal(LAMBDA, iam.AccountPrincipal("210987654321")))
    BreakGlassRole(stack, "BreakGlass", identity_account="210987654321")
    apply_permissions_boundary(stack, PermissionsBoundary(stack, "Boundary"))
    assert evaluations_of(stack, RULE) == []
