from botocore.stub import Stubber

from compliance.audit.checks.cloud_trail_logging import CHECK
from compliance.audit.framework import Result


def _trail(aws, **options):
    aws.client("s3").create_bucket(Bucket="trail-logs", CreateBucketConfiguration={
        "LocationConstraint": "ap-northeast-1"})
    cloudtrail = aws.client("cloudtrail")
    trail = cloudtrail.create_trail(Name="org", S3BucketName="trail-logs", **options)
    cloudtrail.start_logging(Name="org")
    return trail["TrailARN"]


def test_fail_1_no_trail(aws):
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and finding.resource == "123456789012/ap-northeast-1"
    assert "trailList = []" in finding.evidence


def test_fail_2_single_region_unencrypted_trail(aws):
    arn = _trail(aws)
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and finding.resource == arn
    assert "IsMultiRegionTrail = False" in finding.evidence and "KmsKeyId = None" in finding.evidence


def test_pass_1_multi_region_validated_encrypted_logging_trail(aws):
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    arn = _trail(aws, IsMultiRegionTrail=True, EnableLogFileValidation=True, KmsKeyId=key)
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.PASS and finding.resource == arn
    assert "GetTrailStatus.IsLogging = True" in finding.evidence


def test_unverified_1_trail_status_throttled(aws):
    arn = "arn:aws:cloudtrail:ap-northeast-1:123456789012:trail/org"
    stub = Stubber(aws.client("cloudtrail"))
    stub.add_response("describe_trails", {"trailList": [{"Name": "org", "TrailARN": arn,
                                                         "HomeRegion": "ap-northeast-1"}]})
    stub.add_client_error("get_trail_status", "Throttling")
    stub.activate()
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.UNVERIFIED and finding.resource == arn
    assert "GetTrailStatus: throttled" in finding.evidence
