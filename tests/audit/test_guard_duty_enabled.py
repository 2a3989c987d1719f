import pytest
from botocore.stub import Stubber

from compliance.audit.checks.guard_duty_enabled import CHECK
from compliance.audit.framework import Result, Unverifiable


def test_fail_1_no_detector(aws):
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and finding.resource == "123456789012/ap-northeast-1"
    assert "DetectorIds = []" in finding.evidence


def test_fail_2_suspended_detector(aws):
    detector = aws.client("guardduty").create_detector(Enable=False)["DetectorId"]
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and finding.resource.endswith(f":detector/{detector}")
    assert finding.evidence == "GetDetector.Status = DISABLED"


def test_pass_1_enabled_detector(aws):
    detector = aws.client("guardduty").create_detector(Enable=True)["DetectorId"]
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.PASS
    assert finding.resource == f"arn:aws:guardduty:ap-northeast-1:123456789012:detector/{detector}"


def test_unverified_1_list_detectors_denied(aws):
    stub = Stubber(aws.client("guardduty"))
    stub.add_client_error("list_detectors", "AccessDeniedException", http_status_code=403)
    stub.activate()
    with pytest.raises(Unverifiable, match="ListDetectors: access denied"):
        CHECK.run(aws)


def test_unverified_2_one_detector_unreadable_the_other_still_judged(aws):
    stub = Stubber(aws.client("guardduty"))
    stub.add_response("list_detectors", {"DetectorIds": ["d1", "d2"]})
    stub.add_client_error("get_detector", "AccessDeniedException", expected_params={"DetectorId": "d1"})
    stub.add_response("get_detector", {"ServiceRole": "r", "Status": "ENABLED"}, {"DetectorId": "d2"})
    with stub:
        first, second = CHECK.run(aws)
        stub.assert_no_pending_responses()
    assert first.result is Result.UNVERIFIED and first.resource.endswith(":detector/d1")
    assert "GetDetector: access denied" in first.evidence
    assert second.result is Result.PASS and second.resource.endswith(":detector/d2")
