from compliance.audit.checks.s3_public_access_block import CHECK
from compliance.audit.framework import Result

ALL = dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True)


def _bucket(aws, block=None):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="records", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})
    if block is not None:
        s3.put_public_access_block(Bucket="records", PublicAccessBlockConfiguration=block)


def test_pass_1_all_four(aws):
    _bucket(aws, ALL)
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.PASS and "RestrictPublicBuckets = True" in finding.evidence


def test_fail_1_policy_not_blocked(aws):
    _bucket(aws, {**ALL, "BlockPublicPolicy": False})
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and finding.evidence.startswith("off: BlockPublicPolicy;")


def test_fail_2_no_configuration(aws):
    _bucket(aws)
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and "NoSuchPublicAccessBlockConfiguration" in finding.evidence
