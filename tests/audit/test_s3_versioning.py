from botocore.stub import Stubber

from compliance.audit.checks.s3_versioning import CHECK
from compliance.audit.framework import Result

HERE = {"LocationConstraint": "ap-northeast-1"}


def test_pass_1_enabled(aws):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="records", CreateBucketConfiguration=HERE)
    s3.put_bucket_versioning(Bucket="records", VersioningConfiguration={"Status": "Enabled"})
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.PASS and finding.evidence == "GetBucketVersioning.Status = Enabled"


def test_fail_1_never_enabled_and_suspended(aws):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="never", CreateBucketConfiguration=HERE)
    s3.create_bucket(Bucket="suspended", CreateBucketConfiguration=HERE)
    s3.put_bucket_versioning(Bucket="suspended", VersioningConfiguration={"Status": "Suspended"})
    findings = {f.resource: f for f in CHECK.run(aws)}
    assert {f.result for f in findings.values()} == {Result.FAIL}
    assert "never enabled" in findings["arn:aws:s3:::never"].evidence
    assert findings["arn:aws:s3:::suspended"].evidence == "GetBucketVersioning.Status = Suspended"


def test_unverified_1_versioning_throttled(aws):
    stub = Stubber(aws.client("s3"))
    stub.add_response("list_buckets", {"Buckets": [{"Name": "records"}]})
    stub.add_client_error("get_bucket_versioning", "SlowDown")
    stub.activate()
    (finding,) = CHECK.run(aws)
    stub.assert_no_pending_responses()
    assert finding.result is Result.UNVERIFIED and "throttled" in finding.evidence
