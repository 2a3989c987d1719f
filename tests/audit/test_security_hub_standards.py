"""moto implements DescribeHub (not-enabled case) but not GetEnabledStandards: the rest is stubbed."""

import pytest
from botocore.stub import Stubber

from compliance.audit.checks.security_hub_standards import CHECK
from compliance.audit.framework import Result, Unverifiable

HUB = "arn:aws:securityhub:ap-northeast-1:123456789012:hub/default"
FSBP = "arn:aws:securityhub:ap-northeast-1::standards/aws-foundational-security-best-practices/v/1.0.0"
CIS = "arn:aws:securityhub:ap-northeast-1::standards/cis-aws-foundations-benchmark/v/3.0.0"


def _stub(aws, *subscriptions):
    stub = Stubber(aws.client("securityhub"))
    stub.add_response("describe_hub", {"HubArn": HUB})
    stub.add_response("get_enabled_standards", {"StandardsSubscriptions": [
        {"StandardsSubscriptionArn": f"{arn}/sub", "StandardsArn": arn, "StandardsInput": {},
         "StandardsStatus": status} for arn, status in subscriptions]})
    stub.activate()


def test_fail_1_security_hub_not_enabled(aws):
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and finding.resource == "123456789012/ap-northeast-1"
    assert finding.evidence == "DescribeHub: Security Hub not enabled (InvalidAccessException)"


def test_fail_4_not_enabled_names_the_code_aws_gave(aws):
    stub = Stubber(aws.client("securityhub"))
    stub.add_client_error("describe_hub", "ResourceNotFoundException")
    with stub:
        (finding,) = CHECK.run(aws)
        stub.assert_no_pending_responses()
    assert finding.result is Result.FAIL
    assert finding.evidence == "DescribeHub: Security Hub not enabled (ResourceNotFoundException)"


def test_unverified_2_describe_hub_denied_is_not_a_fail(aws):
    stub = Stubber(aws.client("securityhub"))
    stub.add_client_error("describe_hub", "AccessDeniedException")
    with stub, pytest.raises(Unverifiable, match="DescribeHub: access denied"):
        CHECK.run(aws)


def test_fail_2_only_cis_enabled(aws):
    _stub(aws, (CIS, "READY"))
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and finding.resource == HUB and CIS in finding.evidence


def test_fail_3_fsbp_incomplete(aws):
    _stub(aws, (FSBP, "INCOMPLETE"))
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and "StandardsStatus = ['INCOMPLETE']" in finding.evidence


def test_pass_1_fsbp_ready(aws):
    _stub(aws, (CIS, "READY"), (FSBP, "READY"))
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.PASS and finding.resource == HUB


def test_unverified_1_standards_access_denied(aws):
    stub = Stubber(aws.client("securityhub"))
    stub.add_response("describe_hub", {"HubArn": HUB})
    stub.add_client_error("get_enabled_standards", "AccessDeniedException", http_status_code=403)
    stub.activate()
    with pytest.raises(Unverifiable, match="GetEnabledStandards: access denied"):
        CHECK.run(aws)
