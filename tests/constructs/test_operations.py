import json

import pytest

from aws_cdk import assertions as A

from constructs_lib import DataClass, DataClassKey, OperatorRole, SessionManagerLogging
from constructs_lib.iam import ManagedPolicyRole
from aws_cdk import aws_iam as iam
from tests.helpers import new_stack


def _sessions(stack):
    key = DataClassKey(stack, "Key", data_class=DataClass.OPERATIONS, alias_prefix="p")
    return SessionManagerLogging(stack, "Sessions", key=key, log_retention_days=400)


def test_session_preferences_encrypt_and_log_every_session():
    stack = new_stack()
    _sessions(stack)
    template = A.Template.from_stack(stack)
    (document,) = template.find_resources("AWS::SSM::Document").values()
    properties = document["Properties"]
    assert properties["Name"] == "SSM-SessionManagerRunShell" and properties["DocumentType"] == "Session"
    inputs = properties["Content"]["inputs"]
    assert inputs["cloudWatchEncryptionEnabled"] is True and inputs["cloudWatchStreamingEnabled"] is True
    key_id, attribute = inputs["kmsKeyId"]["Fn::GetAtt"]
    assert key_id.startswith("Key") and attribute == "Arn"
    assert inputs["cloudWatchLogGroupName"]["Ref"].startswith("SessionsLogs")
    assert inputs["maxSessionDuration"] == "60" and inputs["runAsEnabled"] is False
    template.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 400})


def _start_session_statements(template):
    (policy,) = template.find_resources("AWS::IAM::ManagedPolicy").values()
    return policy["Properties"]["PolicyDocument"]["Statement"]


def test_operator_role_from_an_identity_account_needs_mfa_and_lasts_an_hour():
    stack = new_stack()
    OperatorRole(stack, "Operator", sessions=_sessions(stack), auto_scaling_group_name="servers",
                 identity_account="210987654321")
    template = A.Template.from_stack(stack)
    template.has_resource_properties("AWS::IAM::Role", {
        "MaxSessionDuration": 3600,
        "AssumeRolePolicyDocument": {"Statement": [A.Match.object_like({
            "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"},
                          "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}})]},
    })


def test_operator_role_from_identity_center_admits_only_the_permission_set_and_says_why_mfa_is_not_in_it():
    stack = new_stack()
    role = OperatorRole(stack, "Operator", sessions=_sessions(stack), auto_scaling_group_name="servers",
                        permission_set="Operators")
    template = A.Template.from_stack(stack)
    template.has_resource_properties("AWS::IAM::Role", {
        "MaxSessionDuration": 3600,
        "AssumeRolePolicyDocument": {"Statement": [A.Match.object_like({"Condition": {"ArnLike": {
            "aws:PrincipalArn": "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/"
                                "*AWSReservedSSO_Operators_*"}}})]},
    })
    acknowledged = role.node.default_child.node.metadata
    assert any("ISO27017-MfaForHumanRoles" in json.dumps(entry.data) and "Identity Center" in json.dumps(entry.data)
               for entry in acknowledged)


def test_operator_role_needs_exactly_one_way_in():
    stack = new_stack()
    with pytest.raises(ValueError, match="exactly one of permission_set and identity_account"):
        OperatorRole(stack, "Operator", sessions=_sessions(stack), auto_scaling_group_name="servers")


def test_operator_may_only_start_logged_sessions_and_end_their_own():
    stack = new_stack()
    OperatorRole(stack, "Operator", sessions=_sessions(stack), auto_scaling_group_name="servers",
                 permission_set="Operators")
    template = A.Template.from_stack(stack)
    statements = _start_session_statements(template)
    starts = [s for s in statements if s["Action"] == "ssm:StartSession"]
    assert all(s["Condition"]["BoolIfExists"] == {"ssm:SessionDocumentAccessCheck": "true"} for s in starts)
    assert any(s.get("Condition", {}).get("StringEquals") == {"ssm:resourceTag/aws:autoscaling:groupName": "servers"}
               for s in starts)
    assert "arn:aws:ssm:ap-northeast-1:123456789012:document/SSM-SessionManagerRunShell" in json.dumps(statements)
    (own,) = [s for s in statements if s.get("Sid") == "EndOrResumeOwnSessionsOnly"]
    assert sorted(own["Action"]) == ["ssm:ResumeSession", "ssm:TerminateSession"]
    assert own["Condition"] == {"StringLike": {"ssm:resourceTag/aws:ssmmessages:session-id": ["${aws:userid}"]}}
    template.resource_count_is("AWS::IAM::Policy", 0)


def test_instances_may_write_session_logs():
    stack = new_stack()
    sessions = _sessions(stack)
    role = ManagedPolicyRole(stack, "Servers", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    sessions.grant_instance(role)
    (policy,) = A.Template.from_stack(stack).find_resources("AWS::IAM::ManagedPolicy").values()
    actions = json.dumps(policy["Properties"]["PolicyDocument"])
    for action in ("logs:PutLogEvents", "logs:CreateLogStream", "logs:DescribeLogGroups", "kms:Decrypt"):
        assert action in actions
