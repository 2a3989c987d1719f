from aws_cdk import assertions as A

from constructs_lib import AccessLogsBucket, DataClass, DataClassKey, LogArchiveBucket, RetainedLogGroup
from constructs_lib.audit import AuditTrail
from tests.helpers import new_stack

TRAIL_ARN = "arn:aws:cloudtrail:ap-northeast-1:123456789012:trail/p-audit"


def _trail(stack):
    key = DataClassKey(stack, "Key", data_class=DataClass.OPERATIONS, alias_prefix="p")
    archive = LogArchiveBucket(stack, "Archive", encryption_key=key, access_logs=AccessLogsBucket(stack, "AccessLogs"))
    logs = RetainedLogGroup(stack, "AuditLogs", encryption_key=key)
    return AuditTrail(stack, "Trail", name="p-audit", archive=archive, key=key, log_group=logs)


def test_trail_covers_every_region_validates_files_and_encrypts():
    stack = new_stack()
    _trail(stack)
    A.Template.from_stack(stack).has_resource_properties("AWS::CloudTrail::Trail", {
        "TrailName": "p-audit",
        "IsLogging": True,
        "IsMultiRegionTrail": True,
        "IncludeGlobalServiceEvents": True,
        "EnableLogFileValidation": True,
        "KMSKeyId": {"Fn::GetAtt": [A.Match.string_like_regexp("^Key"), "Arn"]},
        "S3BucketName": {"Ref": A.Match.string_like_regexp("^Archive")},
        "CloudWatchLogsLogGroupArn": {"Fn::GetAtt": [A.Match.string_like_regexp("^AuditLogs"), "Arn"]},
        "EventSelectors": [{"IncludeManagementEvents": True, "ReadWriteType": "All"}],
    })


def test_only_this_trail_may_write_to_the_archive_and_use_the_key():
    stack = new_stack()
    _trail(stack)
    template = A.Template.from_stack(stack)
    for statement in (
        {"Sid": "CloudTrailDeliversThisTrail", "Action": "s3:PutObject",
         "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Condition": {"StringEquals": {"aws:SourceArn": TRAIL_ARN, "s3:x-amz-acl": "bucket-owner-full-control"}}},
        {"Sid": "DenyDeletingLogs", "Effect": "Deny", "Principal": {"AWS": "*"},
         "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion"]},
    ):
        template.has_resource_properties("AWS::S3::BucketPolicy", {"PolicyDocument": {"Statement": A.Match.array_with([
            A.Match.object_like(statement)])}})
    template.has_resource_properties("AWS::KMS::Key", {"KeyPolicy": {"Statement": A.Match.array_with([
        A.Match.object_like({"Principal": {"Service": "cloudtrail.amazonaws.com"},
                             "Action": ["kms:DescribeKey", "kms:GenerateDataKey*"],
                             "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012",
                                                            "aws:SourceArn": TRAIL_ARN}}})])}})


def test_the_logs_role_has_a_managed_policy_not_an_inline_one():
    stack = new_stack()
    _trail(stack)
    template = A.Template.from_stack(stack)
    template.resource_count_is("AWS::IAM::Policy", 0)
    template.has_resource_properties("AWS::IAM::ManagedPolicy", {"PolicyDocument": {"Statement": [
        A.Match.object_like({"Action": ["logs:CreateLogStream", "logs:PutLogEvents"]})]}})
