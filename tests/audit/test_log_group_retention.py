from compliance.audit.checks.log_group_retention import CHECK
from compliance.audit.framework import Result


def _key(aws):
    return aws.client("kms").create_key()["KeyMetadata"]["Arn"]


def test_fail_1_short_retention_and_no_kms_key(aws):
    logs = aws.client("logs")
    logs.create_log_group(logGroupName="app")
    logs.put_retention_policy(logGroupName="app", retentionInDays=30)
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and finding.resource.endswith(":log-group:app")
    assert "retentionInDays = 30 < 365" in finding.evidence and "kmsKeyId absent" in finding.evidence


def test_pass_1_long_retention_with_kms_key(aws):
    logs = aws.client("logs")
    logs.create_log_group(logGroupName="app", kmsKeyId=_key(aws))
    logs.put_retention_policy(logGroupName="app", retentionInDays=400)
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.PASS and "retentionInDays = 400 (>= 365)" in finding.evidence


def test_pass_2_never_expiring_with_kms_key(aws):
    aws.client("logs").create_log_group(logGroupName="app", kmsKeyId=_key(aws))
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.PASS and finding.evidence.startswith("retentionInDays absent (never expires), kmsKeyId = ")


def test_fail_2_never_expiring_without_kms_key(aws):
    aws.client("logs").create_log_group(logGroupName="app")
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and finding.evidence == "kmsKeyId absent"
