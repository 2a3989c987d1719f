"""External scanners (make scan): checkov skips in the template metadata, their place in the result model, and
scripts/scan.py on the default app and on a small app that fails it."""

import json
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3

from compliance.render import render_html, render_markdown
from compliance.results import build_report
from constructs_lib import skip_checkov
from nag_rules import register_packs
from tests.helpers import TOKYO, new_app, new_stack, retained_logs

ROOT = Path(__file__).resolve().parent.parent
SCAN = ROOT / "scripts" / "scan.py"
SCANNERS = ROOT / ".venv-scan" / "bin"
REASON = "This log group is the scanner test's own and holds nothing but test events."
needs_scanners = pytest.mark.skipif(
    not (SCANNERS / "checkov").is_file() or not (SCANNERS / "cfn-lint").is_file(),
    reason=".venv-scan is absent: `make test` (or `make setup-scan`) installs cfn-lint and checkov there first",
)


def _metadata(stack: cdk.Stack, logical_id_prefix: str) -> dict:
    resources = cdk.assertions.Template.from_stack(stack).to_json()["Resources"]
    return next(body.get("Metadata", {}) for name, body in resources.items() if name.startswith(logical_id_prefix))


def test_skip_checkov_appends_each_skip_to_the_resource_metadata():
    stack = new_stack()
    bucket = s3.Bucket(stack, "Bucket")
    skip_checkov(bucket, "CKV_AWS_18", REASON)
    skip_checkov(bucket, "CKV2_AWS_62", "Nothing reads events of this bucket, which only the test writes to.")
    assert _metadata(stack, "Bucket")["checkov"] == {"skip": [
        {"id": "CKV_AWS_18", "comment": REASON},
        {"id": "CKV2_AWS_62", "comment": "Nothing reads events of this bucket, which only the test writes to."},
    ]}


@pytest.mark.parametrize("reason", ["", "n/a", "Not applicable here.", "Skipped_because_of_reasons_given."])
def test_skip_checkov_refuses_a_reason_that_is_not_a_sentence(reason):
    with pytest.raises(ValueError, match="full sentence"):
        skip_checkov(s3.Bucket(new_stack(), "Bucket"), "CKV_AWS_18", reason)


@pytest.mark.parametrize("check_id", ["", "AwsSolutions-S1", "CKV_AWS_18 ", "ckv_aws_18"])
def test_skip_checkov_refuses_what_is_not_a_check_id(check_id):
    with pytest.raises(ValueError, match="check id"):
        skip_checkov(s3.Bucket(new_stack(), "Bucket"), check_id, REASON)


def test_skip_checkov_refuses_the_same_check_twice():
    bucket = s3.Bucket(new_stack(), "Bucket")
    skip_checkov(bucket, "CKV_AWS_18", REASON)
    with pytest.raises(ValueError, match="already skipped"):
        skip_checkov(bucket, "CKV_AWS_18", REASON)


def test_the_result_model_lists_every_skip_with_its_path_and_reason():
    app = new_app()
    stack = cdk.Stack(app, "S", env=TOKYO)
    group = retained_logs(stack)
    skip_checkov(group, "CKV_AWS_158", REASON)
    group.node.default_child.add_metadata("checkov", {"skip": [
        {"id": "CKV_AWS_158", "comment": REASON}, {"id": "CKV_AWS_66", "comment": "n/a"}]})
    register_packs(app)
    app.synth()
    report = json.loads(json.dumps(build_report(Path(app.outdir))))
    assert [(s["pack"], s["rule"], s["path"], s["type"], s["reason"], s["reason_ok"])
            for s in report["scanner_skips"]] == [
        ("checkov", "CKV_AWS_158", "S/Logs/Resource", "AWS::Logs::LogGroup", REASON, True),
        ("checkov", "CKV_AWS_66", "S/Logs/Resource", "AWS::Logs::LogGroup", "n/a", False),
    ]
    markdown = render_markdown(report)
    assert f"| checkov | `CKV_AWS_158` | `S/Logs/Resource` | AWS::Logs::LogGroup | {REASON} |" in markdown
    assert "**no real reason**: n/a" in markdown
    assert "<h2>Scanner skips</h2>" in render_html(report) and "CKV_AWS_66" in render_html(report)


def _scan(assembly: Path, out: Path) -> tuple[int, dict]:
    result = subprocess.run([sys.executable, str(SCAN), "--assembly", str(assembly), "--out", str(out)],
                            capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(out.read_text(encoding="utf-8"))


@needs_scanners
def test_default_app_has_no_cfn_lint_error_and_no_failed_checkov_check(default_assembly, tmp_path):
    code, report = _scan(default_assembly, tmp_path / "scan-report.json")
    lint, checkov = report["scanners"]["cfn-lint"], report["scanners"]["checkov"]
    assert lint["errors"] == [] and checkov["failed"] == [], report["gate"]["blocking"]
    assert (code, report["gate"]) == (0, {"passed": True, "blocking": []})
    assert len(lint["templates"]) == len(checkov["templates"]) == len(report["templates"]) >= 7
    assert checkov["resources"] > 200 and checkov["passed"] > 300
    assert checkov["skipped"] and all(s["reason"] and s["path"] for s in checkov["skipped"])
    assert checkov["unused_skips"] == []


@needs_scanners
def test_scan_fails_on_a_failed_check_a_weak_reason_and_a_skip_outside_the_metadata(tmp_path):
    app = new_app()
    stack = cdk.Stack(app, "S", env=TOKYO)
    bucket = s3.CfnBucket(stack, "Bucket", tags=[cdk.CfnTag(key="Note", value="checkov:skip=CKV_AWS_53: inline")])
    bucket.add_metadata("checkov", {"skip": [{"id": "CKV_AWS_21", "comment": "n/a"},
                                             {"id": "CKV_AWS_999", "comment": REASON}]})
    app.synth()
    code, report = _scan(Path(app.outdir), tmp_path / "scan-report.json")
    assert code == 1 and not report["gate"]["passed"]
    checkov = report["scanners"]["checkov"]
    assert ("CKV_AWS_18", "S/Bucket") in {(f["check_id"], f["path"]) for f in checkov["failed"]}
    assert sorted(s["check_id"] for s in checkov["skipped"]) == ["CKV_AWS_21", "CKV_AWS_53"]
    assert [s["rule"] for s in checkov["unused_skips"]] == ["CKV_AWS_999"]
    messages = {b["rule"]: b["message"] for b in report["gate"]["blocking"]}
    assert "without a real reason" in messages["CKV_AWS_21"]
    assert "other than in the resource's template metadata" in messages["CKV_AWS_53"]
