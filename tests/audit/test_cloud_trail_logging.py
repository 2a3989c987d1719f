from botocore.stub import Stubber

from compliance.audit.checks.cloud_trail_logging import CHECK
from compliance.audit.framework import Result

ALL_MANAGEMENT = [{"ReadWriteType": "All", "IncludeManagementEvents": True}]


def _trail(aws, selectors=ALL_MANAGEMENT, **options):
    aws.client("s3").create_bucket(Bucket="trail-logs", CreateBucketConfiguration={
        "LocationConstraint": "ap-northeast-1"})
    cloudtrail = aws.client("cloudtrail")
    trail = cloudtrail.create_trail(Name="org", S3BucketName="trail-logs", **options)
    if selectors:
        cloudtrail.put_event_selectors(TrailName="org", EventSelectors=selectors)
    cloudtrail.start_logging(Name="org")
    return trail["TrailARN"]


def _complete(aws, selectors=ALL_MANAGEMENT):
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    return _trail(aws, selectors, IsMultiRegionTrail=True, EnableLogFileValidation=True, KmsKeyId=key)


def test_fail_1_no_trail(aws):
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and finding.resource == "123456789012/ap-northeast-1"
    assert "trailList = []" in finding.evidence


def test_fail_2_single_region_unencrypted_trail(aws):
    arn = _trail(aws)
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and finding.resource == arn
    assert "IsMultiRegionTrail = False" in finding.evidence and "KmsKeyId = None" in finding.evidence


def test_fail_3_write_only_management_events(aws):
    arn = _complete(aws, [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}])
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and finding.resource == arn
    assert "GetEventSelectors: no selector records every management event" in finding.evidence
    assert "'ReadWriteType': 'WriteOnly'" in finding.evidence


def test_fail_4_excluded_management_event_source(aws):
    _complete(aws, [{**ALL_MANAGEMENT[0], "ExcludeManagementEventSources": ["kms.amazonaws.com"]}])
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and "kms.amazonaws.com" in finding.evidence


def test_fail_5_advanced_selector_reads_only(aws):
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    _trail(aws, None, IsMultiRegionTrail=True, EnableLogFileValidation=True, KmsKeyId=key)
    aws.client("cloudtrail").put_event_selectors(TrailName="org", AdvancedEventSelectors=[{
        "Name": "reads", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                            {"Field": "readOnly", "Equals": ["true"]}]}])
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and "'Field': 'readOnly'" in finding.evidence


def test_pass_1_multi_region_validated_encrypted_logging_trail(aws):
    arn = _complete(aws)
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.PASS and finding.resource == arn
    assert "GetTrailStatus.IsLogging = True" in finding.evidence
    assert "EventSelectors[0]: IncludeManagementEvents = True, ReadWriteType = All" in finding.evidence


def test_pass_2_advanced_selector_for_all_management_events(aws):
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    _trail(aws, None, IsMultiRegionTrail=True, EnableLogFileValidation=True, KmsKeyId=key)
    aws.client("cloudtrail").put_event_selectors(TrailName="org", AdvancedEventSelectors=[{
        "Name": "management", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}])
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.PASS and "AdvancedEventSelectors[management]" in finding.evidence


def test_pass_3_a_trail_homed_elsewhere_is_read_in_its_home_region(aws):
    arn = "arn:aws:cloudtrail:us-east-1:123456789012:trail/org"
    here = Stubber(aws.client("cloudtrail"))
    here.add_response("describe_trails", {"trailList": [{
        "Name": "org", "TrailARN": arn, "HomeRegion": "us-east-1", "IsMultiRegionTrail": True,
        "LogFileValidationEnabled": True, "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/k"}]})
    home = Stubber(aws.client("cloudtrail", "us-east-1"))
    home.add_response("get_trail_status", {"IsLogging": True}, {"Name": arn})
    home.add_response("get_event_selectors", {"TrailARN": arn, "EventSelectors": ALL_MANAGEMENT}, {"TrailName": arn})
    with here, home:
        (finding,) = CHECK.run(aws)
        here.assert_no_pending_responses()
        home.assert_no_pending_responses()
    assert finding.result is Result.PASS and finding.region == "us-east-1" and finding.resource == arn


def test_unverified_1_trail_status_throttled(aws):
    arn = "arn:aws:cloudtrail:ap-northeast-1:123456789012:trail/org"
    stub = Stubber(aws.client("cloudtrail"))
    stub.add_response("describe_trails", {"trailList": [{"Name": "org", "TrailARN": arn,
                                                         "HomeRegion": "ap-northeast-1"}]})
    stub.add_client_error("get_trail_status", "Throttling")
    stub.activate()
    (finding,) = CHECK.run(aws)
    stub.assert_no_pending_responses()
    assert finding.result is Result.UNVERIFIED and finding.resource == arn
    assert "GetTrailStatus: throttled" in finding.evidence


def test_unverified_2_event_selectors_denied(aws):
    arn = "arn:aws:cloudtrail:ap-northeast-1:123456789012:trail/org"
    stub = Stubber(aws.client("cloudtrail"))
    stub.add_response("describe_trails", {"trailList": [{"Name": "org", "TrailARN": arn,
                                                         "HomeRegion": "ap-northeast-1"}]})
    stub.add_response("get_trail_status", {"IsLogging": True})
    stub.add_client_error("get_event_selectors", "AccessDeniedException")
    stub.activate()
    (finding,) = CHECK.run(aws)
    stub.assert_no_pending_responses()
    assert finding.result is Result.UNVERIFIED and "cloudtrail:GetEventSelectors: access denied" in finding.evidence
