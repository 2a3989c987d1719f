import aws_cdk as cdk
import pytest
from aws_cdk import assertions as A
from aws_cdk import aws_s3 as s3

from constructs_lib import (
    AccessLogsBucket,
    ClassifiedBucket,
    DataClass,
    DataClassKey,
    EdgeLogsBucket,
    LoadBalancerLogsBucket,
    LogArchiveBucket,
)
from tests.helpers import new_stack

TLS_DENIES = [
    A.Match.object_like({"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
                         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
    A.Match.object_like({"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
                         "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}}}),
]


def _setup():
    stack = new_stack()
    key = DataClassKey(stack, "Key", data_class=DataClass.CUSTOMER, alias_prefix="p")
    logs = AccessLogsBucket(stack, "AccessLogs")
    return stack, key, logs


def _bucket_with_tag(template: A.Template, value: str) -> dict:
    matches = template.find_resources("AWS::S3::Bucket", {"Properties": {"Tags": A.Match.array_with(
        [{"Key": "DataClassification", "Value": value}])}})
    assert matches
    return matches


def test_classified_bucket_defaults():
    stack, key, logs = _setup()
    ClassifiedBucket(stack, "Materials", encryption_key=key, access_logs=logs)
    template = A.Template.from_stack(stack)
    template.has_resource("AWS::S3::Bucket", {
        "Properties": A.Match.object_like({
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [{
                "BucketKeyEnabled": True,
                "ServerSideEncryptionByDefault": {
                    "SSEAlgorithm": "aws:kms",
                    "KMSMasterKeyID": {"Fn::GetAtt": [A.Match.string_like_regexp("^Key"), "Arn"]},
                },
            }]},
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True, "BlockPublicPolicy": True,
                "IgnorePublicAcls": True, "RestrictPublicBuckets": True,
            },
            "VersioningConfiguration": {"Status": "Enabled"},
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "LoggingConfiguration": {
                "DestinationBucketName": {"Ref": A.Match.string_like_regexp("^AccessLogs")},
                "LogFilePrefix": "Materials/",
            },
            "Tags": A.Match.array_with([{"Key": "DataClassification", "Value": "customer"}]),
        }),
        "DeletionPolicy": "RetainExceptOnCreate",
        "UpdateReplacePolicy": "Retain",
    })
    template.has_resource_properties("AWS::S3::BucketPolicy", {
        "Bucket": {"Ref": A.Match.string_like_regexp("^Materials")},
        "PolicyDocument": {"Statement": A.Match.array_with(TLS_DENIES)},
    })


def test_classified_bucket_cannot_be_weakened_by_callers():
    stack, key, logs = _setup()
    ClassifiedBucket(stack, "Materials", encryption_key=key, access_logs=logs,
                     encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=False, versioned=False,
                     block_public_access=s3.BlockPublicAccess.BLOCK_ACLS_ONLY,
                     removal_policy=cdk.RemovalPolicy.DESTROY,
                     lifecycle_rules=[s3.LifecycleRule(noncurrent_version_expiration=cdk.Duration.days(400))])
    template = A.Template.from_stack(stack)
    bucket = next(iter(_bucket_with_tag(template, "customer").values()))
    assert bucket["DeletionPolicy"] == "RetainExceptOnCreate"
    properties = bucket["Properties"]
    assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert properties["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] is True
    assert properties["LifecycleConfiguration"]["Rules"][0]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 400}


def test_access_logs_bucket_is_the_documented_sse_s3_exception():
    stack, key, logs = _setup()
    ClassifiedBucket(stack, "Materials", encryption_key=key, access_logs=logs)
    template = A.Template.from_stack(stack)
    template.has_resource("AWS::S3::Bucket", {
        "Properties": A.Match.object_like({
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            "VersioningConfiguration": {"Status": "Enabled"},
            "ObjectLockEnabled": A.Match.absent(),
            "LoggingConfiguration": A.Match.absent(),
        }),
        "DeletionPolicy": "RetainExceptOnCreate",
    })
    template.has_resource_properties("AWS::S3::BucketPolicy", {
        "Bucket": {"Ref": A.Match.string_like_regexp("^AccessLogs")},
        "PolicyDocument": {"Statement": A.Match.array_with([
            *TLS_DENIES,
            A.Match.object_like({"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}}),
        ])},
    })


def test_access_logs_bucket_acknowledges_its_exception_on_the_bucket_only():
    stack, _, logs = _setup()
    acknowledged = {}
    for entry in logs.node.default_child.node.metadata:
        if entry.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
            acknowledged.update(entry.data)
    assert set(acknowledged) == {
        "Annotation::ISO27017-S3BucketKmsCmk",
        "Annotation::NIST.800.53.R5-S3DefaultEncryptionKMS",
        "Annotation::HIPAA.Security-S3DefaultEncryptionKMS",
        "Annotation::AwsSolutions-S1",
        "Annotation::NIST.800.53.R5-S3BucketLoggingEnabled",
        "Annotation::HIPAA.Security-S3BucketLoggingEnabled",
    }
    assert all(len(reason.split()) >= 8 for reason in acknowledged.values())
    assert not any(entry.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY for entry in stack.node.metadata)


def test_log_archive_is_write_once_for_its_retention():
    stack, key, logs = _setup()
    LogArchiveBucket(stack, "Archive", encryption_key=key, access_logs=logs, retention_days=400)
    A.Template.from_stack(stack).has_resource_properties("AWS::S3::Bucket", {
        "ObjectLockEnabled": True,
        "ObjectLockConfiguration": {
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 400}},
        },
        "VersioningConfiguration": {"Status": "Enabled"},
    })


def test_log_archive_refuses_retention_under_a_year():
    stack, key, logs = _setup()
    with pytest.raises(ValueError, match=r"retention_days=30; allowed: 365 or more \(clause 12\.4\.1"):
        LogArchiveBucket(stack, "Archive", encryption_key=key, access_logs=logs, retention_days=30)


def test_load_balancer_logs_bucket_is_the_documented_sse_s3_exception_and_logs_its_accesses():
    stack, _, logs = _setup()
    bucket = LoadBalancerLogsBucket(stack, "LoadBalancerLogs", access_logs=logs)
    template = A.Template.from_stack(stack)
    template.has_resource("AWS::S3::Bucket", {
        "Properties": A.Match.object_like({
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            "LoggingConfiguration": {"DestinationBucketName": {"Ref": A.Match.string_like_regexp("^AccessLogs")},
                                     "LogFilePrefix": "LoadBalancerLogs/"},
        }),
        "DeletionPolicy": "RetainExceptOnCreate",
    })
    acknowledged = {}
    for entry in bucket.node.default_child.node.metadata:
        if entry.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
            acknowledged.update(entry.data)
    assert "Annotation::ISO27017-S3BucketKmsCmk" in acknowledged
    assert "Elastic Load Balancing" in acknowledged["Annotation::ISO27017-S3BucketKmsCmk"]


def test_edge_logs_bucket_lets_log_delivery_from_us_east_1_write_encrypted_objects():
    stack, key, logs = _setup()
    EdgeLogsBucket(stack, "EdgeLogs", bucket_name="aws-waf-logs-p-edge-123456789012", encryption_key=key,
                   access_logs=logs, source_region="us-east-1")
    template = A.Template.from_stack(stack)
    template.has_resource_properties("AWS::S3::Bucket", {"BucketName": "aws-waf-logs-p-edge-123456789012"})
    condition = {"StringEquals": {"aws:SourceAccount": "123456789012"},
                 "ArnLike": {"aws:SourceArn": "arn:aws:logs:us-east-1:123456789012:*"}}
    template.has_resource_properties("AWS::S3::BucketPolicy", {"PolicyDocument": {"Statement": A.Match.array_with([
        A.Match.object_like({"Sid": "AllowLogDeliveryWrite", "Action": "s3:PutObject", "Condition": condition,
                             "Principal": {"Service": "delivery.logs.amazonaws.com"}})])}})
    template.has_resource_properties("AWS::KMS::Key", {"KeyPolicy": {"Statement": A.Match.array_with([
        A.Match.object_like({"Principal": {"Service": "delivery.logs.amazonaws.com"}, "Condition": condition})])}})


def test_edge_logs_bucket_name_must_suit_aws_waf():
    stack, key, logs = _setup()
    with pytest.raises(ValueError, match="starting with aws-waf-logs-"):
        EdgeLogsBucket(stack, "EdgeLogs", bucket_name="edge-logs", encryption_key=key, access_logs=logs,
                       source_region="us-east-1")


def test_customer_bucket_expires_offboarded_tenants_after_the_callers_rules():
    stack, key, logs = _setup()
    ClassifiedBucket(stack, "Records", encryption_key=key, access_logs=logs,
                     lifecycle_rules=[s3.LifecycleRule(id="Archive", transitions=[s3.Transition(
                         storage_class=s3.StorageClass.INFREQUENT_ACCESS, transition_after=cdk.Duration.days(90))])])
    A.Template.from_stack(stack).has_resource_properties("AWS::S3::Bucket", {
        "Tags": A.Match.array_with([{"Key": "DataClassification", "Value": "customer"}]),
        "LifecycleConfiguration": {"Rules": [
            A.Match.object_like({"Id": "Archive"}),
            {"Id": "ExpireOffboardedTenants", "Status": "Enabled", "ExpirationInDays": 30,
             "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
             "TagFilters": [{"Key": "TenantStatus", "Value": "offboarded"}]},
            {"Id": "RemoveLeftovers", "Status": "Enabled", "ExpiredObjectDeleteMarker": True,
             "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}},
        ]},
    })


def test_other_classes_keep_their_objects_whatever_their_tags():
    stack = new_stack()
    key = DataClassKey(stack, "Key", data_class=DataClass.SERVICE_DERIVED, alias_prefix="p")
    ClassifiedBucket(stack, "Derived", encryption_key=key, access_logs=AccessLogsBucket(stack, "AccessLogs"))
    (derived,) = _bucket_with_tag(A.Template.from_stack(stack), "service-derived").values()
    assert "LifecycleConfiguration" not in derived["Properties"]
