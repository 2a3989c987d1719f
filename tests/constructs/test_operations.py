import json

from aws_cdk import assertions as A

from constructs_lib import DataClass, DataClassKey, OperatorRole, SessionManagerLogging
from constructs_lib.iam import ManagedPolicyRole
from aws_cdk import aws_iam as iam
from tests.helpers import new_stack


def _sessions(stack):
    key = DataClassKey(stack, "Key", data_class=DataClass.OPERATIONS, alias_prefix="p")
    return SessionManagerLogging(stack, "Sessions", name="p-sessions", key=key, log_retention_days=400)


def test_session_preferences_encrypt_and_log_every_session():
    stack = new_stack()
    _sessions(stack)
    template = A.Template.from_stack(stack)
    (document,) = template.find_resources("AWS::SSM::Document").values()
    properties = document["Properties"]
    assert properties["Name"] == "p-sessions" and properties["DocumentType"] == "Session"
    inputs = properties["Content"]["inputs"]
    assert inputs["cloudWatchEncryptionEnabled"] is True and inputs["cloudWatchStreamingEnabled"] is True
    key_id, attribute = inputs["kmsKeyId"]["Fn::GetAtt"]
    assert key_id.startswith("Key") and attribute == "Arn"
    assert inputs["cloudWatchLogGroupName"]["Ref"].startswith("SessionsLogs")
    assert inputs["maxSessionDuration"] == "60" and inputs["runAsEnabled"] is False
    template.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 400})


def test_operator_role_needs_mfa_lasts_an_hour_and_may_only_start_logged_sessions():
    stack = new_stack()
    sessions = _sessions(stack)
    OperatorRole(stack, "Operator", sessions=sessions, auto_scaling_group_name="servers")
    template = A.Template.from_stack(stack)
    template.has_resource_properties("AWS::IAM::Role", {
        "MaxSessionDuration": 3600,
        "AssumeRolePolicyDocument": {"Statement": [A.Match.object_like({
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"},
                          "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}})]},
    })
    (policy,) = template.find_resources("AWS::IAM::ManagedPolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    starts = [s for s in statements if s["Action"] == "ssm:StartSession"]
    assert all(s["Condition"]["BoolIfExists"] == {"ssm:SessionDocumentAccessCheck": "true"} for s in starts)
    assert any(s.get("Condition", {}).get("StringEquals") == {"ssm:resourceTag/aws:autoscaling:groupName": "servers"}
               for s in starts)
    assert "arn:aws:ssm:ap-northeast-1:123456789012:document/p-sessions" in json.dumps(statements)
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
