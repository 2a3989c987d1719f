from aws_cdk import assertions as A
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3

from constructs_lib import ManagedPolicyRole
from tests.helpers import new_stack


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
