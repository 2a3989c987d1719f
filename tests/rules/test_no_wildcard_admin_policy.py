import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from constructs_lib.iam import BreakGlassRole, PermissionsBoundary, apply_permissions_boundary
from nag_rules import Status
from nag_rules.rules.no_wildcard_admin_policy import RULE
from tests.helpers import evaluations_of, new_stack, only

EVERYTHING = iam.PolicyStatement(actions=["*"], resources=["*"])


def service_role(scope, construct_id: str = "Role", **props) -> iam.Role:
    return iam.Role(scope, construct_id, assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), **props)


def of(evaluations, resource_type: str):
    return only([e for e in evaluations if e.resource.type == resource_type])


def test_noncompliance_1_policy_allows_everything():
    stack = new_stack()
    iam.Policy(stack, "Admin", statements=[EVERYTHING], roles=[service_role(stack)])
    evaluations = evaluations_of(stack, RULE)
    assert of(evaluations, "AWS::IAM::Role").status is Status.COMPLIANT
    policy = of(evaluations, "AWS::IAM::Policy")
    assert policy.status is Status.VIOLATED
    assert policy.evidence == "PolicyDocument statement 0 allows every action on every resource"


def test_noncompliance_2_inline_policy_of_a_role():
    stack = new_stack()
    service_role(stack, inline_policies={"Admin": iam.PolicyDocument(statements=[
        iam.PolicyStatement(sid="All", actions=["s3:GetObject", "*"], resources=["*"])])})
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "Policies[0] (Admin) statement All allows every action on every resource"


def test_noncompliance_3_attached_managed_policy():
    stack = new_stack()
    iam.ManagedPolicy(stack, "Admin", statements=[EVERYTHING], roles=[service_role(stack)])
    policy = of(evaluations_of(stack, RULE), "AWS::IAM::ManagedPolicy")
    assert policy.status is Status.VIOLATED
    assert policy.evidence.startswith("PolicyDocument statement 0 allows every action on every resource, and the "
                                      'policy is attached (Roles = [{"Ref":"Role')


def test_noncompliance_4_administrator_access():
    stack = new_stack()
    service_role(stack, managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("AdministratorAccess")])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("ManagedPolicyArns[0] = arn:aws:iam::aws:policy/AdministratorAccess: every action "
                                   "on every resource")


def test_noncompliance_5_every_action_but_iam():
    stack = new_stack()
    iam.Policy(stack, "PowerUser", roles=[service_role(stack)], statements=[
        iam.PolicyStatement(not_actions=["iam:*", "organizations:*"], resources=["*"])])
    policy = of(evaluations_of(stack, RULE), "AWS::IAM::Policy")
    assert policy.status is Status.VIOLATED
    assert policy.evidence == ('PolicyDocument statement 0 allows every action but NotAction '
                               '["iam:*","organizations:*"] on every resource')


def test_noncompliance_6_every_action_on_all_but_one_resource():
    stack = new_stack()
    iam.Policy(stack, "Admin", roles=[service_role(stack)], statements=[
        iam.PolicyStatement(actions=["*"], not_resources=["arn:aws:s3:::audit/*"])])
    policy = of(evaluations_of(stack, RULE), "AWS::IAM::Policy")
    assert policy.status is Status.VIOLATED
    assert policy.evidence.endswith("on every resource but NotResource arn:aws:s3:::audit/*")


def test_noncompliance_7_boundary_also_granted_as_a_managed_policy():
    stack = new_stack()
    boundary = PermissionsBoundary(stack, "Boundary")
    service_role(stack, "Bounded", permissions_boundary=boundary)
    service_role(stack, "Granted", managed_policies=[boundary])
    policy = of(evaluations_of(stack, RULE), "AWS::IAM::ManagedPolicy")
    assert policy.status is Status.VIOLATED
    assert policy.evidence.endswith("and the policy is attached (ManagedPolicyArns of Test/Granted/Resource)")


def test_noncompliance_8_boundary_that_bounds_nothing():
    stack = new_stack()
    PermissionsBoundary(stack, "Boundary")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.endswith("(attached to nothing in the app, and no role uses it as a permissions "
                                        "boundary)")


def test_noncompliance_9_standalone_role_policy():
    stack = new_stack()
    role = service_role(stack)
    iam.CfnRolePolicy(stack, "Admin", role_name=role.role_name, policy_name="admin",
                      policy_document={"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    policy = of(evaluations_of(stack, RULE), "AWS::IAM::RolePolicy")
    assert policy.status is Status.VIOLATED


def test_compliance_1_scoped_policy():
    stack = new_stack()
    iam.Policy(stack, "Read", roles=[service_role(stack)], statements=[
        iam.PolicyStatement(actions=["s3:GetObject"], resources=["arn:aws:s3:::data/*"]),
        iam.PolicyStatement(effect=iam.Effect.DENY, actions=["*"], resources=["*"],
                            conditions={"Bool": {"aws:SecureTransport": "false"}}),
    ])
    evaluations = evaluations_of(stack, RULE)
    assert {e.status for e in evaluations} == {Status.COMPLIANT}
    assert of(evaluations, "AWS::IAM::Policy").evidence == "no Allow statement grants * on * in PolicyDocument"


def test_compliance_2_aws_managed_policy_other_than_administrator_access():
    stack = new_stack()
    service_role(stack, managed_policies=[
        iam.ManagedPolicy.from_aws_managed_policy_name("AmazonSSMManagedInstanceCore")])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("no inline policy; ManagedPolicyArns (AWS managed or judged on their own) has no "
                                   "AdministratorAccess")


def test_compliance_3_permissions_boundary_only_caps():
    stack = new_stack()
    boundary = PermissionsBoundary(stack, "Boundary")
    service_role(stack)
    apply_permissions_boundary(stack, boundary)
    policy = of(evaluations_of(stack, RULE), "AWS::IAM::ManagedPolicy")
    assert policy.status is Status.COMPLIANT
    assert policy.evidence == ("PolicyDocument statement CappedByTheDenialsBelow allows every action on every "
                               "resource, but the policy is attached to nothing and only the PermissionsBoundary of "
                               "Test/Role/Resource: a boundary caps, it grants nothing")


def test_acknowledged_1_break_glass_role_says_why():
    stack = new_stack()
    BreakGlassRole(stack, "BreakGlass", identity_account="210987654321")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.ACKNOWLEDGED
    assert "AdministratorAccess" in evaluation.evidence
    assert evaluation.acknowledgement.justification.startswith("The break-glass role is the one justified "
                                                               "administrator")


def test_unresolved_1_actions_from_a_parameter():
    stack = new_stack()
    action = cdk.CfnParameter(stack, "Action")
    iam.Policy(stack, "Chosen", roles=[service_role(stack)], statements=[
        iam.PolicyStatement(actions=[action.value_as_string], resources=["*"])])
    policy = of(evaluations_of(stack, RULE), "AWS::IAM::Policy")
    assert policy.status is Status.UNRESOLVED
    assert policy.evidence == ('PolicyDocument: statement 0: Action = {"Ref":"Action"}, Resource = *; whether it '
                               'allows every action on every resource depends on deploy-time values')


def test_unresolved_2_not_action_from_a_parameter():
    stack = new_stack()
    action = cdk.CfnParameter(stack, "Excluded")
    iam.Policy(stack, "Chosen", roles=[service_role(stack)], statements=[
        iam.PolicyStatement(not_actions=[action.value_as_string], resources=["*"])])
    assert of(evaluations_of(stack, RULE), "AWS::IAM::Policy").status is Status.UNRESOLVED


def test_unresolved_3_customer_managed_policy_outside_the_app():
    stack = new_stack()
    service_role(stack, managed_policies=[iam.ManagedPolicy.from_managed_policy_arn(
        stack, "Ops", "arn:aws:iam::123456789012:policy/Ops")])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert evaluation.evidence.startswith("ManagedPolicyArns[0] = arn:aws:iam::123456789012:policy/Ops: a customer "
                                          "managed policy outside this app")
