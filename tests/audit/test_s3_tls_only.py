import json

from compliance.audit.checks.s3_tls_only import CHECK
from compliance.audit.framework import Result

ARN = "arn:aws:s3:::records"


def _deny(sid, condition):
    return {"Sid": sid, "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
            "Resource": [ARN, f"{ARN}/*"], "Condition": condition}


def _bucket(aws, *statements):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="records", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})
    if statements:
        s3.put_bucket_policy(Bucket="records", Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))


def test_pass_1_denies_plain_http_and_old_tls(aws):
    _bucket(aws, _deny("Https", {"Bool": {"aws:SecureTransport": "false"}}),
            _deny("Tls12", {"NumericLessThan": {"s3:TlsVersion": "1.2"}}))
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.PASS
    assert "statement Https denies aws:SecureTransport = false" in finding.evidence
    assert "statement Tls12 denies s3:TlsVersion < 1.2" in finding.evidence


def test_fail_1_no_policy(aws):
    _bucket(aws)
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and "NoSuchBucketPolicy" in finding.evidence


def test_fail_2_tls_version_too_low_and_http_denied_on_objects_only(aws):
    https = _deny("Https", {"Bool": {"aws:SecureTransport": "false"}})
    https["Resource"] = f"{ARN}/*"
    _bucket(aws, https, _deny("Tls11", {"NumericLessThan": {"s3:TlsVersion": "1.1"}}))
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL
    assert "no Deny of aws:SecureTransport = false" in finding.evidence
    assert "no Deny of s3:TlsVersion < 1.2" in finding.evidence
