import aws_cdk as cdk
from aws_cdk import assertions as A

from config import load_environment
from stacks import FoundationStack
from tests.helpers import new_app


def _foundation():
    settings = load_environment()
    stack = FoundationStack(new_app(), "Foundation", settings=settings)
    return stack, A.Template.from_stack(stack), settings


def test_stack_is_pinned_to_the_configured_environment():
    stack, _, settings = _foundation()
    assert stack.region == "ap-northeast-1"
    assert stack.account == settings.account
    assert stack.stack_name == "tomolinks-example-foundation"
    assert stack.termination_protection is True
    assert stack.availability_zones == settings.availability_zones


def test_zones_come_from_configuration_not_lookups():
    stack, _, _ = _foundation()
    assert not any("dummy" in zone for zone in stack.availability_zones)
    assert cdk.Stack.of(stack).availability_zones == ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]


def test_three_data_class_keys_and_one_archive_of_each_kind():
    _, template, _ = _foundation()
    template.resource_count_is("AWS::KMS::Key", 3)
    template.resource_count_is("AWS::S3::Bucket", 2)
    template.resource_count_is("AWS::Logs::LogGroup", 1)


def test_log_archive_uses_the_operations_key_and_logs_to_the_access_log_bucket():
    stack, template, _ = _foundation()
    operations_key = stack.resolve(stack.keys.operations.key_arn)
    template.has_resource_properties("AWS::S3::Bucket", {
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [A.Match.object_like({
            "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": operations_key},
        })]},
        "ObjectLockEnabled": True,
        "LoggingConfiguration": {"DestinationBucketName": stack.resolve(stack.access_logs.bucket_name),
                                 "LogFilePrefix": "LogArchive/"},
        "Tags": A.Match.array_with([
            {"Key": "DataClassification", "Value": "operations"},
            {"Key": "Project", "Value": "tomoLinks"},
        ]),
    })


def test_audit_log_group_uses_configured_retention_and_operations_key():
    stack, template, settings = _foundation()
    template.has_resource_properties("AWS::Logs::LogGroup", {
        "RetentionInDays": settings.log_retention_days,
        "KmsKeyId": stack.resolve(stack.keys.operations.key_arn),
    })


def test_every_stateful_resource_is_retained():
    _, template, _ = _foundation()
    for resource_type in ("AWS::KMS::Key", "AWS::S3::Bucket", "AWS::Logs::LogGroup"):
        for resource in template.find_resources(resource_type).values():
            assert resource["DeletionPolicy"] == "Retain", resource_type
            assert resource["UpdateReplacePolicy"] == "Retain", resource_type


def test_replication_is_acknowledged_per_bucket_with_its_reason():
    stack, _, _ = _foundation()
    for bucket in (stack.access_logs, stack.log_archive):
        data = {}
        for entry in bucket.node.default_child.node.metadata:
            if entry.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                data.update(entry.data)
        assert "Annotation::NIST.800.53.R5-S3BucketReplicationEnabled" in data
        assert "12.3.1" in data["Annotation::NIST.800.53.R5-S3BucketReplicationEnabled"]
