import pytest
from botocore.stub import Stubber

from compliance.audit.checks.imdsv2_required import CHECK
from compliance.audit.framework import Result, Unverifiable

AMI = "ami-12c6146b"


def _instance(aws, tokens):
    ec2 = aws.client("ec2")
    return ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1,
                             MetadataOptions={"HttpTokens": tokens})["Instances"][0]["InstanceId"]


def test_pass_1_tokens_required(aws):
    instance = _instance(aws, "required")
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.PASS
    assert finding.resource == f"arn:aws:ec2:ap-northeast-1:123456789012:instance/{instance}"
    assert "MetadataOptions.HttpTokens = required" in finding.evidence


def test_fail_1_tokens_optional(aws):
    _instance(aws, "optional")
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and "HttpTokens = optional" in finding.evidence


def test_pass_2_terminated_instance_not_judged(aws):
    instance = _instance(aws, "optional")
    aws.client("ec2").terminate_instances(InstanceIds=[instance])
    assert CHECK.run(aws) == []


def test_unverified_1_describe_instances_throttled(aws):
    stub = Stubber(aws.client("ec2"))
    stub.add_client_error("describe_instances", "RequestLimitExceeded", http_status_code=503)
    stub.activate()
    with pytest.raises(Unverifiable, match="DescribeInstances: throttled"):
        CHECK.run(aws)
