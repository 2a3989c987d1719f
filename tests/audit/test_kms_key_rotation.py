from botocore.stub import Stubber

from compliance.audit.checks.kms_key_rotation import CHECK
from compliance.audit.framework import Result


def test_fail_1_customer_key_without_rotation(aws):
    key = aws.client("kms").create_key()["KeyMetadata"]
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and finding.resource == key["Arn"]
    assert "KeyRotationEnabled = False" in finding.evidence


def test_pass_1_rotated_customer_key(aws):
    kms = aws.client("kms")
    key = kms.create_key()["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.PASS and "KeyRotationEnabled = True" in finding.evidence


def test_pass_2_disabled_and_asymmetric_keys_are_not_judged(aws):
    kms = aws.client("kms")
    kms.disable_key(KeyId=kms.create_key()["KeyMetadata"]["KeyId"])
    kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    assert CHECK.run(aws) == []


def test_unverified_1_one_key_unreadable_the_other_still_judged(aws):
    kms = aws.client("kms")
    denied, readable = kms.create_key()["KeyMetadata"], kms.create_key()["KeyMetadata"]
    stub = Stubber(kms)
    stub.add_response("list_keys", {"Keys": [{"KeyId": k["KeyId"], "KeyArn": k["Arn"]} for k in (denied, readable)],
                                    "Truncated": False})
    stub.add_client_error("describe_key", "AccessDeniedException", expected_params={"KeyId": denied["KeyId"]})
    stub.add_response("describe_key", {"KeyMetadata": readable}, {"KeyId": readable["KeyId"]})
    stub.add_response("get_key_rotation_status", {"KeyRotationEnabled": True}, {"KeyId": readable["KeyId"]})
    with stub:
        first, second = CHECK.run(aws)
        stub.assert_no_pending_responses()
    assert first.result is Result.UNVERIFIED and first.resource == denied["Arn"]
    assert first.evidence.startswith("kms:DescribeKey: access denied")
    assert second.result is Result.PASS and second.resource == readable["Arn"]


def test_pass_3_every_page_of_keys_is_read(aws):
    """pages() follows botocore's paginator: Marker/NextMarker while Truncated."""
    kms = aws.client("kms")
    keys = [kms.create_key()["KeyMetadata"] for _ in range(2)]
    stub = Stubber(kms)
    stub.add_response("list_keys", {"Keys": [{"KeyId": keys[0]["KeyId"]}], "Truncated": True, "NextMarker": "m"}, {})
    for key, expected in ((keys[0], None), (keys[1], {"Marker": "m"})):
        if expected:
            stub.add_response("list_keys", {"Keys": [{"KeyId": key["KeyId"]}], "Truncated": False}, expected)
        stub.add_response("describe_key", {"KeyMetadata": key}, {"KeyId": key["KeyId"]})
        stub.add_response("get_key_rotation_status", {"KeyRotationEnabled": False}, {"KeyId": key["KeyId"]})
    with stub:
        findings = CHECK.run(aws)
        stub.assert_no_pending_responses()
    assert [f.resource for f in findings] == [k["Arn"] for k in keys]
