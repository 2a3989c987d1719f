from botocore.stub import Stubber

from compliance.audit.checks.log_archive_locked import CHECK
from compliance.audit.framework import Result

HERE = {"LocationConstraint": "ap-northeast-1"}


def _archive(aws, name, days=None, tags=None):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration=HERE, ObjectLockEnabledForBucket=days is not None)
    if days:
        s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": days}}})
    if tags:
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]})


def test_pass_1_locked_for_the_retention_period(aws):
    _archive(aws, "foundation-logarchive1a2b-xyz", days=aws.settings.log_retention_days)
    _archive(aws, "foundation-accesslogs-xyz")
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.PASS and finding.resource == "arn:aws:s3:::foundation-logarchive1a2b-xyz"
    assert "ObjectLockEnabled = Enabled, Rule.DefaultRetention = GOVERNANCE 365 days" in finding.evidence


def test_fail_1_found_by_tag_without_object_lock(aws):
    """CloudFormation's own tags cannot be written, so S3 is stubbed."""
    stub = Stubber(aws.client("s3"))
    stub.add_response("list_buckets", {"Buckets": [{"Name": "trail-bucket"}]})
    stub.add_response("get_bucket_tagging", {"TagSet": [
        {"Key": "aws:cloudformation:logical-id", "Value": "LogArchive1A2B3C4D"}]}, {"Bucket": "trail-bucket"})
    stub.add_response("get_bucket_location", {"LocationConstraint": "ap-northeast-1"})
    stub.add_client_error("get_object_lock_configuration", "ObjectLockConfigurationNotFoundError")
    stub.activate()
    (finding,) = CHECK.run(aws)
    stub.assert_no_pending_responses()
    assert finding.result is Result.FAIL and "logical-id = LogArchive1A2B3C4D" in finding.evidence
    assert "ObjectLockEnabled = (absent: no Object Lock)" in finding.evidence


def test_fail_2_trail_bucket_retained_too_briefly(aws):
    _archive(aws, "audit", days=30)
    aws.client("cloudtrail").create_trail(Name="audit", S3BucketName="audit")
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and "delivers to it" in finding.evidence
    assert "GOVERNANCE 30 days (needed: 365 days or more)" in finding.evidence


def test_fail_3_no_log_archive(aws):
    _archive(aws, "records", tags={"DataClassification": "customer"})
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and finding.evidence.startswith("no log archive bucket")


def test_unverified_1_tags_denied_and_no_other_sign(aws):
    stub = Stubber(aws.client("s3"))
    stub.add_response("list_buckets", {"Buckets": [{"Name": "records"}]})
    stub.add_client_error("get_bucket_tagging", "AccessDenied")
    stub.activate()
    (finding,) = CHECK.run(aws)
    stub.assert_no_pending_responses()
    assert finding.result is Result.UNVERIFIED and "s3:GetBucketTagging: access denied" in finding.evidence


def test_unverified_2_trails_denied_beside_a_bucket_matched_by_name(aws):
    _archive(aws, "foundation-logarchive1a2b-xyz", days=aws.settings.log_retention_days)
    stub = Stubber(aws.client("cloudtrail"))
    stub.add_client_error("describe_trails", "AccessDeniedException")
    stub.activate()
    archive, account = CHECK.run(aws)
    stub.assert_no_pending_responses()
    assert archive.result is Result.PASS and archive.resource == "arn:aws:s3:::foundation-logarchive1a2b-xyz"
    assert account.result is Result.UNVERIFIED and account.resource == "123456789012/ap-northeast-1"
    assert account.evidence.startswith("other log archive buckets may exist: these could not be read: "
                                       "cloudtrail:DescribeTrails: access denied")
