"""The delivery pipeline app (12.1.2): its stack's shape, and both stages gated by every pack."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

import pipeline_app
from compliance.results import build_report
from config import load_environment
from stacks.pipeline import ARTIFACT_FILES, JUNIT_REPORT_GROUP
from stacks.stage import ServiceStage
from tests.helpers import new_app
from tests.test_scan import needs_scanners

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def pipeline_app_synthesized():
    app = new_app()
    stack = pipeline_app.build(app)
    app.synth()
    return app, stack


@pytest.fixture(scope="module")
def template(pipeline_app_synthesized):
    return Template.from_stack(pipeline_app_synthesized[1])


def _stages(template):
    (pipeline,) = template.find_resources("AWS::CodePipeline::Pipeline").values()
    return pipeline["Properties"]["Stages"]


def test_source_action_uses_the_connection(template):
    source = _stages(template)[0]
    (action,) = source["Actions"]
    assert action["ActionTypeId"]["Provider"] == "CodeStarSourceConnection"
    assert action["Configuration"]["ConnectionArn"].startswith("arn:aws:codeconnections:ap-northeast-1:123456789012:")
    assert action["Configuration"]["FullRepositoryId"] == "example-org/tomolinks-iso27017"
    assert action["Configuration"]["BranchName"] == "main"


def test_synth_runs_the_tests_and_the_gate_and_keeps_the_junit_report(template):
    projects = [p for p in template.find_resources("AWS::CodeBuild::Project").values()
                if "make report" in p["Properties"]["Source"]["BuildSpec"]]
    (synth,) = projects
    spec = json.loads(synth["Properties"]["Source"]["BuildSpec"])
    commands = spec["phases"]["build"]["commands"]
    assert commands.index("make test") < next(i for i, c in enumerate(commands) if c.startswith("make report"))
    report = next(i for i, c in enumerate(commands) if c.startswith("make report"))
    assert 'APP=".venv/bin/python pipeline_app.py"' in commands[report]
    assert commands[report + 1] == ".venv/bin/python scripts/scan.py --assembly cdk.out"
    assert spec["reports"][JUNIT_REPORT_GROUP] == {"files": ["iso27017-junit.xml"], "base-directory": "cdk.out",
                                                   "file-format": "JUNITXML"}
    assert spec["artifacts"] == {"base-directory": "cdk.out", "files": ["**/*"]}


def test_gate_reports_are_written_into_the_synth_output():
    from compliance.cli import JUNIT_FILE, REPORT_STEM, SARIF_FILE
    assert {f"{REPORT_STEM}.json", SARIF_FILE, JUNIT_FILE} <= set(ARTIFACT_FILES)


def test_stages_in_order_with_the_approval_before_production(template):
    names = [stage["Name"] for stage in _stages(template)]
    assert names[:2] == ["Source", "Build"]
    assert names[-2:] == ["staging", "default"]
    production = _stages(template)[-1]
    approvals = [a for a in production["Actions"] if a["ActionTypeId"]["Category"] == "Approval"]
    assert [a["Name"] for a in approvals] == ["ApproveProduction"]
    first_deploy = min(a["RunOrder"] for a in production["Actions"] if a["ActionTypeId"]["Category"] == "Deploy")
    assert approvals[0]["RunOrder"] < first_deploy
    staging = _stages(template)[-2]
    assert not [a for a in staging["Actions"] if a["ActionTypeId"]["Category"] == "Approval"]


def test_artifacts_encrypted_with_a_rotated_customer_managed_key(template):
    template.has_resource_properties("AWS::CodePipeline::Pipeline", {
        "ArtifactStores": Match.array_with([{
            "Region": "ap-northeast-1",
            "ArtifactStore": {"Type": "S3", "Location": Match.any_value(),
                              "EncryptionKey": {"Type": "KMS", "Id": {"Fn::GetAtt": [Match.string_like_regexp("ArtifactsKey"), "Arn"]}}},
        }]),
    })
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})
    template.has_resource_properties("AWS::S3::Bucket", {
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [Match.object_like({
            "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                              "KMSMasterKeyID": Match.any_value()}})]},
    })


def test_notification_rule_to_the_encrypted_topic(template):
    template.has_resource_properties("AWS::CodeStarNotifications::NotificationRule", {
        "EventTypeIds": ["codepipeline-pipeline-pipeline-execution-failed",
                         "codepipeline-pipeline-pipeline-execution-succeeded",
                         "codepipeline-pipeline-manual-approval-needed"],
        "Targets": [{"TargetType": "SNS", "TargetAddress": {"Ref": Match.string_like_regexp("Notifications")}}],
    })
    template.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": Match.any_value()})
    template.has_resource_properties("AWS::SNS::Subscription", {"Protocol": "email",
                                                                "Endpoint": "delivery-team@example.com"})


def test_production_stacks_get_termination_protection_after_they_deploy(pipeline_app_synthesized, template):
    _, stack = pipeline_app_synthesized
    production = stack.stages[stack.settings.production_environment]
    specs = [json.dumps(p["Properties"]["Source"]["BuildSpec"]) for p in
             template.find_resources("AWS::CodeBuild::Project").values()
             if "update-termination-protection" in json.dumps(p["Properties"]["Source"].get("BuildSpec", ""))]
    assert len(specs) == len(stack.stages)
    production_spec = next(spec for spec in specs if "tomolinks-example-data" in spec)
    for child in production.stacks.values():
        assert child.termination_protection, child.node.path
        assert f"--stack-name {child.stack_name} --region {child.region}" in production_spec
    assert "role/cdk-hnb659fds-deploy-role-123456789012-us-east-1" in production_spec
    template.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Action": "sts:AssumeRole", "Resource": Match.array_with([
            "arn:aws:iam::123456789012:role/cdk-hnb659fds-deploy-role-123456789012-ap-northeast-1"])})])}})


def test_conformance_pack_deployed_to_each_stage_with_an_encrypted_delivery_bucket(pipeline_app_synthesized):
    from compliance.conformance import conformance_pack_template
    _, stack = pipeline_app_synthesized
    for stage in stack.stages.values():
        template = Template.from_stack(stage.conformance)
        (pack,) = template.find_resources("AWS::Config::ConformancePack").values()
        assert json.loads(pack["Properties"]["TemplateBody"]) == conformance_pack_template(stage.settings)
        template.has_resource_properties("AWS::S3::Bucket", {
            "BucketName": Match.string_like_regexp("^awsconfigconforms-"),
            "BucketEncryption": Match.any_value(),
        })
        assert stage.conformance.region in ("ap-northeast-1", "ap-northeast-3")
        if "Security" in stage.stacks:
            assert stage.stacks["Security"] in stage.conformance.dependencies


def test_pipeline_app_gate_passes_for_both_stages(pipeline_app_synthesized):
    app, _ = pipeline_app_synthesized
    report = build_report(Path(app.outdir))
    assert report["gate"] == {"passed": True, "blocking": []}, report["gate"]["blocking"][:3]
    stacks = {s["name"] for s in report["source"]["stacks"]}
    assert {"Pipeline/staging/Data", "Pipeline/default/Data", "Pipeline", "Pipeline-us-east-1"} <= stacks
    evaluated = {r["path"].split("/")[1] for r in report["resources"] if r["evaluated"] and r["path"].startswith("Pipeline/")}
    assert {"staging", "default"} <= evaluated
    change = next(c for c in report["clauses"] if c["id"] == "12.1.2")
    (evaluation,) = [e for r in change["rules"] for e in r["evaluations"]]
    assert change["status"] == "shared" and evaluation["status"] == "compliant"
    assert "runs make test, make report before any deployment" in evaluation["evidence"]
    assert "stage default (tag ProductionStage) waits for manual approval ApproveProduction" in evaluation["evidence"]


def test_two_environment_app_synthesizes_both_with_no_unacknowledged_finding():
    from stacks.service import register_packs
    app = new_app()
    for name in ("staging", "default"):
        ServiceStage(app, name, settings=load_environment(name))
    register_packs(app)
    app.synth()
    report = build_report(Path(app.outdir))
    assert report["gate"] == {"passed": True, "blocking": []}, report["gate"]["blocking"][:3]
    assert {"staging/Conformance", "default/Conformance"} <= {s["name"] for s in report["source"]["stacks"]}


def test_stage_without_packs_on_the_app_is_not_checked_silently():
    """Packs registered only on a stage nested in a stack never run: the app must register them."""
    app = new_app()
    stack = cdk.Stack(app, "Holder")
    cdk.CfnWaitConditionHandle(stack, "Placeholder")  # CDK's own validation refuses an empty template
    stage = ServiceStage(stack, "default", settings=load_environment("default"))
    from stacks.service import register_packs
    register_packs(stage)
    app.synth()
    assert not (Path(app.outdir) / "iso27017-evaluations.json").exists()


def test_bad_pipeline_config_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "pipeline.toml"
    text = (ROOT / "config" / "pipeline.toml").read_text(encoding="utf-8").replace(
        'region = "ap-northeast-1"', 'region = "us-west-2"', 1)
    bad.write_text(text, encoding="utf-8")
    completed = subprocess.run([sys.executable, "pipeline_app.py"], cwd=ROOT, capture_output=True, text=True,
                               env={"CDK_CONTEXT_JSON": json.dumps({"pipeline_config": str(bad)}),
                                    "CDK_OUTDIR": str(tmp_path / "out"), "PATH": "/usr/bin:/bin"})
    assert completed.returncode == 2, completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "pipeline.region = 'us-west-2'" in lines[0] and "6.1.3" in lines[0]



def test_every_step_runs_on_pinned_runtimes_and_the_pinned_cli(template):
    projects = template.find_resources("AWS::CodeBuild::Project")
    specs = [json.loads(p["Properties"]["Source"]["BuildSpec"]) for p in projects.values()
             if isinstance(p["Properties"]["Source"].get("BuildSpec"), str)]
    assert specs
    for spec in specs:
        assert spec["phases"]["install"]["runtime-versions"] == {"python": "3.11", "nodejs": "22"}
    package = json.loads((Path(__file__).resolve().parents[1] / "package.json").read_text(encoding="utf-8"))
    installs = " ".join(json.dumps(spec) for spec in specs)
    assert f"aws-cdk@{package['devDependencies']['aws-cdk']}" in installs
    assert "cdk-assets@latest" not in installs and "aws-cdk@2 " not in installs



@needs_scanners
def test_the_pipeline_apps_templates_pass_the_scanners(tmp_path):
    """As the synth step runs it: the pipeline app synthesized through the pinned CLI, then scripts/scan.py."""
    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "cdk.out"
    report = subprocess.run([sys.executable, "-m", "compliance", "report", "--app",
                             f"{sys.executable} pipeline_app.py", "--out", str(out)],
                            cwd=root, capture_output=True, text=True, timeout=600)
    assert report.returncode == 0, report.stdout[-2000:] + report.stderr[-2000:]
    result = subprocess.run([sys.executable, "scripts/scan.py", "--assembly", str(out)], cwd=root,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "scan: PASSED" in result.stdout
