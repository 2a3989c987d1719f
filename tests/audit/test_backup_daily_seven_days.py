from botocore.stub import Stubber

from compliance.audit.checks.backup_daily_seven_days import CHECK
from compliance.audit.framework import Result


def _plan(aws, schedule="cron(0 18 * * ? *)", days=7, locked=7, key=True):
    backup = aws.client("backup")
    arn = aws.client("kms").create_key()["KeyMetadata"]["Arn"] if key else None
    backup.create_backup_vault(BackupVaultName="daily", **({"EncryptionKeyArn": arn} if arn else {}))
    if locked:
        backup.put_backup_vault_lock_configuration(BackupVaultName="daily", MinRetentionDays=locked)
    return backup.create_backup_plan(BackupPlan={"BackupPlanName": "daily", "Rules": [{
        "RuleName": "Daily", "TargetBackupVaultName": "daily", "ScheduleExpression": schedule,
        "Lifecycle": {"DeleteAfterDays": days}}]})["BackupPlanArn"]


def test_pass_1_daily_week_locked_customer_key(aws):
    arn = _plan(aws)
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.PASS and finding.resource == arn
    for words in ("ScheduleExpression = cron(0 18 * * ? *)", "DeleteAfterDays = 7", "Locked = True",
                  "MinRetentionDays = 7", "KeyManager = CUSTOMER"):
        assert words in finding.evidence


def test_fail_1_weekly_short_unlocked(aws):
    _plan(aws, schedule="cron(0 18 ? * MON *)", days=3, locked=None)
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL
    for words in ("does not run every day", "DeleteAfterDays = 3", "Locked = False"):
        assert words in finding.evidence


def test_fail_2_no_plan(aws):
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and finding.resource == "123456789012/ap-northeast-1"


def test_unverified_1_vault_denied(aws):
    _plan(aws)
    stub = Stubber(aws.client("backup"))
    stub.add_response("list_backup_plans", {"BackupPlansList": [{"BackupPlanArn": "arn:aws:backup:plan", "BackupPlanId": "p"}]})
    stub.add_response("get_backup_plan", {"BackupPlan": {"BackupPlanName": "daily", "Rules": [{
        "RuleName": "Daily", "TargetBackupVaultName": "daily", "ScheduleExpression": "cron(0 18 * * ? *)",
        "Lifecycle": {"DeleteAfterDays": 7}}]}})
    stub.add_client_error("describe_backup_vault", "AccessDeniedException")
    stub.activate()
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.UNVERIFIED and "backup:DescribeBackupVault: access denied" in finding.evidence
