from botocore.stub import Stubber

from compliance.audit.checks.resources_in_japan import CHECK
from compliance.audit.framework import Result

REGIONS = ("ap-northeast-1", "ap-northeast-3", "us-east-1")


def _regions(aws, *names):
    """Only these regions, to keep moto fast: the check calls DescribeRegions on the audited region's client."""
    stub = Stubber(aws.client("ec2"))
    stub.add_response("describe_regions", {"Regions": [{"RegionName": n} for n in names]}, {"AllRegions": False})
    stub.activate()


def _by_result(findings, result):
    return [f for f in findings if f.result is result]


def test_pass_1_buckets_in_japan_and_nothing_elsewhere(aws):
    aws.client("s3").create_bucket(Bucket="tokyo", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})
    aws.client("s3", "ap-northeast-3").create_bucket(Bucket="osaka", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-3"})
    aws.client("ec2", "ap-northeast-3").create_volume(AvailabilityZone="ap-northeast-3a", Size=1)
    _regions(aws, *REGIONS)
    findings = CHECK.run(aws)
    assert all(f.result is Result.PASS for f in findings)
    buckets = {f.resource: f for f in findings if f.resource_type == "AWS::S3::Bucket"}
    assert buckets["arn:aws:s3:::osaka"].evidence == "GetBucketLocation.LocationConstraint = ap-northeast-3"
    (region,) = [f for f in findings if f.resource_type == "AWS::Account"]
    assert region.resource == "123456789012/us-east-1" and "DescribeVolumes" in region.evidence


def test_fail_1_bucket_volume_and_table_outside_japan(aws):
    aws.client("s3", "us-east-1").create_bucket(Bucket="virginia")
    aws.client("ec2", "us-east-1").create_volume(AvailabilityZone="us-east-1a", Size=1)
    aws.client("dynamodb", "us-east-1").create_table(
        TableName="records", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    _regions(aws, *REGIONS)
    failures = _by_result(CHECK.run(aws), Result.FAIL)
    assert {f.resource_type for f in failures} == {"AWS::S3::Bucket", "AWS::EC2::Volume", "AWS::DynamoDB::Table"}
    bucket = next(f for f in failures if f.resource == "arn:aws:s3:::virginia")
    assert bucket.region == "us-east-1" and "LocationConstraint = None (us-east-1)" in bucket.evidence
    table = next(f for f in failures if f.resource_type == "AWS::DynamoDB::Table")
    assert table.resource == "arn:aws:dynamodb:us-east-1:123456789012:table/records"


def test_unverified_1_region_denied(aws):
    _regions(aws, *REGIONS)
    stub = Stubber(aws.client("rds", "us-east-1"))
    stub.add_client_error("describe_db_instances", "AccessDenied")
    stub.add_response("describe_db_clusters", {"DBClusters": []})
    stub.activate()
    (finding,) = CHECK.run(aws)
    stub.assert_no_pending_responses()
    assert finding.result is Result.UNVERIFIED and finding.resource == "123456789012/us-east-1"
    assert "rds:DescribeDBInstances: access denied" in finding.evidence


def test_unverified_2_regions_throttled_keeps_bucket_findings(aws):
    aws.client("s3").create_bucket(Bucket="tokyo", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})
    stub = Stubber(aws.client("ec2"))
    stub.add_client_error("describe_regions", "Throttling")
    stub.activate()
    bucket, regions = CHECK.run(aws)
    assert bucket.result is Result.PASS
    assert regions.result is Result.UNVERIFIED and "throttled" in regions.evidence


def test_unverified_2_an_unreachable_regional_endpoint_spares_the_other_regions(aws):
    from botocore.exceptions import EndpointConnectionError

    def unreachable(**_):
        raise EndpointConnectionError(endpoint_url="https://ec2.eu-west-1.amazonaws.com/")

    for service in ("ec2", "rds", "dynamodb"):
        aws.client(service, "eu-west-1").meta.events.register("before-call", unreachable)
    aws.client("ec2", "us-east-1").create_volume(AvailabilityZone="us-east-1a", Size=1)
    _regions(aws, "ap-northeast-1", "eu-west-1", "us-east-1")
    findings = CHECK.run(aws)
    (lost,) = [f for f in findings if f.region == "eu-west-1"]
    assert lost.result is Result.UNVERIFIED and lost.resource == "123456789012/eu-west-1"
    assert "ec2:DescribeVolumes: EndpointConnectionError: Could not connect" in lost.evidence
    (volume,) = [f for f in findings if f.region == "us-east-1"]
    assert volume.result is Result.FAIL and volume.resource_type == "AWS::EC2::Volume"
