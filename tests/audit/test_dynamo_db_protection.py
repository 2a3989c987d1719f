from botocore.stub import Stubber

from compliance.audit.checks.dynamo_db_protection import CHECK
from compliance.audit.framework import Result

KEYS = dict(KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")


def test_pass_1_customer_key_pitr_and_deletion_protection(aws):
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    dynamodb = aws.client("dynamodb")
    table = dynamodb.create_table(TableName="records", DeletionProtectionEnabled=True, **KEYS,
                                  SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key})
    dynamodb.update_continuous_backups(TableName="records", PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.PASS and finding.resource == table["TableDescription"]["TableArn"]
    assert "KeyManager = CUSTOMER" in finding.evidence and "PointInTimeRecoveryStatus = ENABLED" in finding.evidence


def test_fail_1_owned_key_no_pitr_deletable(aws):
    aws.client("dynamodb").create_table(TableName="records", **KEYS)
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL
    for words in ("SSEType = (absent: AWS owned key)", "PointInTimeRecoveryStatus = DISABLED",
                  "DeletionProtectionEnabled = False"):
        assert words in finding.evidence


def test_unverified_1_backups_throttled(aws):
    aws.client("dynamodb").create_table(TableName="records", **KEYS)
    table = aws.client("dynamodb").describe_table(TableName="records")["Table"]
    table.pop("ProvisionedThroughput")
    stub = Stubber(aws.client("dynamodb"))
    stub.add_response("list_tables", {"TableNames": ["records"]})
    stub.add_response("describe_table", {"Table": table})
    stub.add_client_error("describe_continuous_backups", "ThrottlingException")
    stub.activate()
    (finding,) = CHECK.run(aws)
    stub.assert_no_pending_responses()
    assert finding.result is Result.UNVERIFIED and finding.resource.endswith(":table/records")
    assert "dynamodb:DescribeContinuousBackups: throttled" in finding.evidence


def test_fail_2_encryption_still_updating(aws):
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    dynamodb = aws.client("dynamodb")
    dynamodb.create_table(TableName="records", DeletionProtectionEnabled=True, **KEYS,
                          SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key})
    table = dynamodb.describe_table(TableName="records")["Table"]
    table.pop("ProvisionedThroughput")
    table["SSEDescription"]["Status"] = "UPDATING"
    stub = Stubber(dynamodb)
    stub.add_response("list_tables", {"TableNames": ["records"]})
    stub.add_response("describe_table", {"Table": table})
    stub.add_response("describe_continuous_backups", {"ContinuousBackupsDescription": {
        "ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "ENABLED"}}})
    with stub:
        (finding,) = CHECK.run(aws)
        stub.assert_no_pending_responses()
    assert finding.result is Result.FAIL
    assert finding.evidence.startswith("failing: DescribeTable.SSEDescription.SSEType = KMS, Status = UPDATING")
