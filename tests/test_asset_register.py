"""The asset register (8.1.1, 8.2.2): every stateful resource with its data class, key, backup and retention."""

import csv
import io
import json
import shutil
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_backup as backup
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from compliance import cli
from compliance.render import render_asset_register, render_html, render_markdown
from compliance.render.asset_register import COLUMNS
from compliance.results import build_report
from nag_rules import register_packs
from nag_rules.assembly import CloudAssembly
from nag_rules.resource_types import DATA_STORE_TYPES
from tests.helpers import TOKYO, new_app

CUSTOMER_KEY = "Foundation/Keys/Customer/Resource"
DAILY_PLAN = 'Data/Backup/Plan/Resource (rule "Daily": daily at 18:00 UTC (cron(0 18 * * ? *)), kept 7 days)'
CUSTOMER_STORES = {
    "Data/Records/Cluster/Resource": "automated backups kept 7 days",
    "Data/DailyRecords/Resource": "point-in-time recovery 35 days",
    "Data/TeachingMaterials/Resource": "",
    "Data/LearningRecords/Resource": "",
}
"""Each with (a part of) its retention in words; the buckets' depends on their lifecycle rules."""


@pytest.fixture(scope="module")
def assets(default_report):
    return {asset["path"]: asset for asset in default_report["assets"]}


@pytest.fixture(scope="module")
def small_assets():
    """An untagged SSE-S3 bucket and stores that name no key, one table backed up by a plan without a schedule."""
    app = new_app()
    stack = cdk.Stack(app, "Small", env=TOKYO)
    s3.Bucket(stack, "Plain", encryption=s3.BucketEncryption.S3_MANAGED)
    s3.Bucket(stack, "Locked", encryption=s3.BucketEncryption.KMS_MANAGED, versioned=True,
              object_lock_default_retention=s3.ObjectLockRetention.compliance(cdk.Duration.days(30)),
              lifecycle_rules=[s3.LifecycleRule(id="Leavers", tag_filters={"Status": "left"},
                                                expiration=cdk.Duration.days(40),
                                                noncurrent_version_expiration=cdk.Duration.days(1))])
    logs.LogGroup(stack, "Logs", retention=logs.RetentionDays.INFINITE)
    sns.Topic(stack, "Topic")
    sqs.Queue(stack, "Queue", retention_period=cdk.Duration.hours(12))
    table = dynamodb.Table(stack, "Table", partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING))
    plan = backup.CfnBackupPlan(stack, "Plan", backup_plan=backup.CfnBackupPlan.BackupPlanResourceTypeProperty(
        backup_plan_name="small", backup_plan_rule=[backup.CfnBackupPlan.BackupRuleResourceTypeProperty(
            rule_name="Unscheduled", target_backup_vault="Default")]))
    backup.CfnBackupSelection(stack, "Selection", backup_plan_id=plan.attr_backup_plan_id,
                              backup_selection=backup.CfnBackupSelection.BackupSelectionResourceTypeProperty(
                                  iam_role_arn="arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole",
                                  selection_name="Table", resources=[table.table_arn]))
    register_packs(app)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    return {asset["path"]: asset for asset in build_report(Path(app.outdir))["assets"]}


def test_every_stateful_resource_appears_once_sorted_by_stack_and_path(default_assembly, default_report):
    register = default_report["assets"]
    stateful = {r.path for r in CloudAssembly.load(default_assembly).resources() if r.type in DATA_STORE_TYPES}
    assert {a["path"] for a in register} == stateful and len(register) == len(stateful)
    assert [(a["stack"], a["path"]) for a in register] == sorted((a["stack"], a["path"]) for a in register)
    for asset in register:
        assert set(asset) >= {"stack", "stack_name", "region", "path", "logical_id", "type", "classification",
                              "kms_keys", "backup", "retention", "deletion_policy", "evaluations"}
        assert asset["region"] in ("ap-northeast-1", "us-east-1")
        assert asset["classification"] in ("customer", "service-derived", "operations")
        assert asset["kms_keys"] and asset["retention"]


def test_customer_data_stores_show_their_class_key_daily_backup_and_retention(assets):
    for path, retention in CUSTOMER_STORES.items():
        asset = assets[path]
        assert asset["stack"] == "Data" and asset["stack_name"].endswith("-data")
        assert asset["classification"] == "customer"
        assert asset["kms_keys"] == [CUSTOMER_KEY]
        assert asset["backup"] == [DAILY_PLAN]
        assert retention in asset["retention"]
        if asset["type"] == "AWS::S3::Bucket":
            assert asset["retention"].startswith("kept until deleted; objects tagged TenantStatus = offboarded expire")
        assert asset["deletion_policy"] in ("Retain", "RetainExceptOnCreate")
        assert {"rule": "ISO27017-CustomerDataBackedUp", "status": "compliant"} in asset["evaluations"]


def test_cluster_members_are_covered_through_their_cluster(assets):
    writer = assets["Data/Records/Cluster/Writer/Resource"]
    assert writer["kms_keys"] == [CUSTOMER_KEY]
    assert writer["backup"] == ["with its cluster Data/Records/Cluster/Resource"]
    assert writer["retention"] == "as its cluster Data/Records/Cluster/Resource"


def test_what_aws_backup_cannot_protect_is_n_a_with_its_own_retention(assets):
    audit = assets["Foundation/AuditLogs/Resource"]
    assert audit["classification"] == "operations"
    assert audit["kms_keys"] == ["Foundation/Keys/Operations/Resource"]
    assert audit["backup"] == ["n/a"]
    assert audit["retention"] == "events kept 365 days"
    key = assets[CUSTOMER_KEY]
    assert key["backup"] == ["n/a"] and key["kms_keys"] == ["n/a (a KMS key)"]
    assert key["retention"] == "kept until deleted; deletion takes effect 30 days after it is scheduled"
    assert assets["Operations/Incidents/DeadLetters/Resource"]["retention"] == "messages kept 14 days"
    assert assets["Foundation/Notifications/Resource"]["backup"] == ["n/a"]
    assert assets["Data/Backup/Vault/Resource"]["retention"] == (
        "vault lock (governance mode): each recovery point kept at least 7 days")
    assert assets["Foundation/LogArchive/Resource"]["retention"] == (
        "Object Lock (GOVERNANCE): each object version kept at least 365 days")
    access_logs = assets["Foundation/AccessLogs/Resource"]
    assert access_logs["kms_keys"] == ["SSE-S3 (S3 managed keys)"]
    assert access_logs["backup"] == []
    assert access_logs["retention"] == "objects expire after 365 days; noncurrent versions expire after 365 days"


def test_an_untagged_sse_s3_bucket_and_stores_without_keys_say_what_encrypts_them(small_assets):
    bucket = small_assets["Small/Plain/Resource"]
    assert bucket["classification"] is None
    assert bucket["kms_keys"] == ["SSE-S3 (S3 managed keys)"]
    assert bucket["backup"] == [] and bucket["retention"] == "kept until deleted"
    assert bucket["deletion_policy"] == "Retain"
    locked = small_assets["Small/Locked/Resource"]
    assert locked["kms_keys"] == ["SSE-KMS with the AWS managed key aws/s3"]
    assert locked["retention"] == ("Object Lock (COMPLIANCE): each object version kept at least 30 days; objects tagged "
                                   "Status = left expire after 40 days; noncurrent versions of objects tagged Status = "
                                   "left expire after 1 day")
    group = small_assets["Small/Logs/Resource"]
    assert group["kms_keys"] == ["CloudWatch Logs service key"]
    assert group["retention"] == "kept until deleted (no RetentionInDays)"
    assert small_assets["Small/Topic/Resource"]["kms_keys"] == ["unencrypted"]
    queue = small_assets["Small/Queue/Resource"]
    assert queue["kms_keys"] == ["SSE-SQS (SQS owned keys)"] and queue["retention"] == "messages kept 12 hours"
    table = small_assets["Small/Table/Resource"]
    assert table["kms_keys"] == ["AWS owned key"]
    assert table["backup"] == ['Small/Plan (rule "Unscheduled": has no ScheduleExpression, so AWS Backup runs it '
                               'daily at 05:00 UTC (cron(0 5 ? * * *)), kept until deleted)']


def test_the_csv_has_a_row_per_asset(default_report):
    rows = list(csv.reader(io.StringIO(render_asset_register(default_report))))
    assert tuple(rows[0]) == COLUMNS
    by_path = {row[2]: dict(zip(COLUMNS, row)) for row in rows[1:]}
    assert len(rows) - 1 == len(by_path) == len(default_report["assets"])
    teaching = by_path["Data/TeachingMaterials/Resource"]
    assert teaching == {
        "stack": "Data", "region": "ap-northeast-1", "construct path": "Data/TeachingMaterials/Resource",
        "type": "AWS::S3::Bucket", "classification": "customer", "KMS key": CUSTOMER_KEY, "backup": DAILY_PLAN,
        "retention": "kept until deleted; objects tagged TenantStatus = offboarded expire after 30 days; noncurrent "
                     "versions of objects tagged TenantStatus = offboarded expire after 1 day",
        "deletion policy": "RetainExceptOnCreate"}
    assert by_path["Data/Records/Cluster/Resource"]["deletion policy"] == "RetainExceptOnCreate, deletion protection"
    assert by_path["Foundation/AuditLogs/Resource"]["backup"] == "n/a"
    assert by_path["Foundation/AccessLogs/Resource"]["backup"] == "none"


def test_markdown_and_html_count_assets_per_class(default_report):
    customers = sum(1 for a in default_report["assets"] if a["classification"] == "customer")
    text = render_markdown(default_report)
    assert "## Asset register (8.1.1, 8.2.2)" in text
    assert f"| customer | {customers} |" in text
    assert f"| `Data/TeachingMaterials/Resource` | Data | AWS::S3::Bucket | customer | {CUSTOMER_KEY} |" in text
    page = render_html(default_report)
    assert "<h2>Asset register (8.1.1, 8.2.2)</h2>" in page
    assert f"<div class='card'>customer<b>{customers}</b>assets</div>" in page


def test_cli_writes_the_asset_register_beside_the_report(default_assembly, tmp_path, capsys):
    assembly = tmp_path / "assembly"
    shutil.copytree(default_assembly, assembly)
    assert cli.main(["report", "--assembly", str(assembly)]) == 0
    assert f"{assembly / 'asset-register.csv'}" in capsys.readouterr().out
    raw = (assembly / "asset-register.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    document = json.loads((assembly / "clause-report.json").read_text(encoding="utf-8"))
    assert raw.decode("utf-8-sig") == render_asset_register(document)
    assert not list(assembly.glob(".*.tmp"))


def test_a_failing_asset_register_leaves_every_previous_output_untouched(default_report, monkeypatch, tmp_path):
    cli.write_outputs(default_report, tmp_path, sources={})
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert "asset-register.csv" in before

    def broken(document):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "render_asset_register", broken)
    with pytest.raises(RuntimeError, match="boom"):
        cli.write_outputs({**default_report, "generated_at": "2000-01-01T00:00:00+00:00"}, tmp_path, sources={})
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_help_names_the_asset_register(capsys):
    with pytest.raises(SystemExit):
        cli.main(["report", "--help"])
    assert "asset-register.csv" in "".join(capsys.readouterr().out.split())  # argparse wraps at hyphens
