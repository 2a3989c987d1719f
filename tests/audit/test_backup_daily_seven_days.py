"""moto implements no backup:ListBackupSelections, so the backup client is stubbed (KMS stays moto's)."""

from botocore.stub import Stubber

from compliance.audit.checks.backup_daily_seven_days import CHECK
from compliance.audit.framework import Result

PLAN = "arn:aws:backup:ap-northeast-1:123456789012:backup-plan:p"
SELECTED = [{"SelectionId": "s", "SelectionName": "daily-records", "BackupPlanId": "p"}]
DAILY = {"RuleName": "Daily", "TargetBackupVaultName": "daily", "ScheduleExpression": "cron(0 18 * * ? *)",
         "Lifecycle": {"DeleteAfterDays": 7}}


def _stub(aws, rule=DAILY, vault=None, selections=SELECTED, selections_error=None, vault_error=None):
    """The plan ``p`` with ``rule``, its selections and its vault (locked a week, customer key, unless ``vault``)."""
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    stub = Stubber(aws.client("backup"))
    stub.add_response("list_backup_plans", {"BackupPlansList": [{"BackupPlanArn": PLAN, "BackupPlanId": "p"}]})
    stub.add_response("get_backup_plan", {"BackupPlan": {"BackupPlanName": "daily", "Rules": [rule]}},
                      {"BackupPlanId": "p"})
    if selections_error:
        stub.add_client_error("list_backup_selections", selections_error)
    else:
        stub.add_response("list_backup_selections", {"BackupSelectionsList": selections}, {"BackupPlanId": "p"})
    if vault_error:
        stub.add_client_error("describe_backup_vault", vault_error)
    else:
        stub.add_response("describe_backup_vault", {"BackupVaultName": "daily", "EncryptionKeyArn": key,
                                                    "Locked": True, "MinRetentionDays": 7, **(vault or {})},
                          {"BackupVaultName": "daily"})
    stub.activate()
    return stub


def _run(aws, stub):
    (finding,) = CHECK.run(aws)
    stub.assert_no_pending_responses()
    assert finding.resource == PLAN
    return finding


def test_pass_1_daily_week_locked_customer_key_with_a_selection(aws):
    finding = _run(aws, _stub(aws))
    assert finding.result is Result.PASS
    for words in ("ScheduleExpression = cron(0 18 * * ? *)", "DeleteAfterDays = 7", "Locked = True",
                  "MinRetentionDays = 7", "KeyManager = CUSTOMER", "ListBackupSelections = ['daily-records']"):
        assert words in finding.evidence


def test_pass_2_kept_until_deleted_without_a_vault_maximum(aws):
    finding = _run(aws, _stub(aws, rule={**DAILY, "Lifecycle": {}}))
    assert finding.result is Result.PASS and "DeleteAfterDays absent (kept until deleted by hand)" in finding.evidence


def test_fail_1_weekly_short_unlocked(aws):
    finding = _run(aws, _stub(aws, rule={**DAILY, "ScheduleExpression": "cron(0 18 ? * MON *)",
                                         "Lifecycle": {"DeleteAfterDays": 3}}, vault={"Locked": False}))
    assert finding.result is Result.FAIL
    for words in ("does not run every day", "DeleteAfterDays = 3", "Locked = False"):
        assert words in finding.evidence


def test_fail_2_no_plan(aws):
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and finding.resource == "123456789012/ap-northeast-1"


def test_fail_3_a_plan_that_selects_nothing(aws):
    finding = _run(aws, _stub(aws, selections=[]))
    assert finding.result is Result.FAIL
    assert finding.evidence.endswith("ListBackupSelections = [] (the plan backs up no resource)")


def test_fail_4_kept_longer_than_the_vault_lock_allows(aws):
    finding = _run(aws, _stub(aws, rule={**DAILY, "Lifecycle": {"DeleteAfterDays": 60}},
                              vault={"MaxRetentionDays": 35}))
    assert finding.result is Result.FAIL
    assert "DeleteAfterDays = 60 is longer than the vault lock's MaxRetentionDays = 35" in finding.evidence


def test_fail_5_kept_forever_under_a_vault_maximum(aws):
    finding = _run(aws, _stub(aws, rule={**DAILY, "Lifecycle": {}}, vault={"MaxRetentionDays": 35}))
    assert finding.result is Result.FAIL
    assert "DeleteAfterDays absent (kept until deleted by hand) is longer than the vault lock's " \
           "MaxRetentionDays = 35" in finding.evidence


def test_unverified_1_vault_denied(aws):
    finding = _run(aws, _stub(aws, vault_error="AccessDeniedException"))
    assert finding.result is Result.UNVERIFIED and "backup:DescribeBackupVault: access denied" in finding.evidence


def test_unverified_2_selections_denied(aws):
    finding = _run(aws, _stub(aws, selections_error="AccessDeniedException"))
    assert finding.result is Result.UNVERIFIED
    assert "backup:ListBackupSelections: access denied" in finding.evidence
