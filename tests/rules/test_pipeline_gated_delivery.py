import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codepipeline as codepipeline

from nag_rules import Status
from nag_rules.rules.pipeline_gated_delivery import RULE
from tests.helpers import evaluations_of, new_stack, only

GATE = {"version": "0.2", "phases": {"build": {"commands": ["make test", 'make report APP="app"']}}}


def _project(stack, spec=GATE):
    return codebuild.CfnProject(stack, "Synth", artifacts={"type": "CODEPIPELINE"}, service_role="arn:aws:iam::1:role/r",
                                environment={"type": "LINUX_CONTAINER", "image": "x", "computeType": "BUILD_GENERAL1_SMALL"},
                                source={"type": "CODEPIPELINE", "buildSpec": json.dumps(spec) if spec else None})


def _action(name, category, provider, run_order=1, **configuration):
    return {"name": name, "actionTypeId": {"category": category, "owner": "AWS", "provider": provider, "version": "1"},
            "runOrder": run_order, "configuration": configuration or None}


def _deploy(name, run_order=1):
    return _action(name, "Deploy", "CloudFormation", run_order, StackName=name, ActionMode="CREATE_UPDATE")


def _pipeline(stack, *stages, production=None):
    codepipeline.CfnPipeline(stack, "Pipeline", role_arn="arn:aws:iam::1:role/p",
                             artifact_store={"type": "S3", "location": "bucket"},
                             stages=[{"name": name, "actions": actions} for name, actions in stages],
                             tags=[{"key": "ProductionStage", "value": production}] if production else None)


def _build(project):
    return ("Build", [_action("Synth", "Build", "CodeBuild", ProjectName=project.ref)])


SOURCE = ("Source", [_action("Code", "Source", "CodeStarSourceConnection", ConnectionArn="arn", FullRepositoryId="o/r",
                             BranchName="main")])


def test_noncompliance_1_production_deploys_without_approval():
    stack = new_stack()
    _pipeline(stack, SOURCE, _build(_project(stack)), ("staging", [_deploy("s")]), ("production", [_deploy("p")]))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "stage production (the last to deploy) deploys without a manual approval" in evaluation.evidence


def test_noncompliance_2_no_gate_before_the_first_deployment():
    stack = new_stack()
    project = _project(stack, {"version": "0.2", "phases": {"build": {"commands": ["npx cdk synth"]}}})
    _pipeline(stack, SOURCE, _build(project),
              ("production", [_action("Approve", "Approval", "Manual"), _deploy("p", 2)]))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "does not run make test, make report" in evaluation.evidence


def test_noncompliance_3_approval_after_the_deployment_started():
    stack = new_stack()
    _pipeline(stack, SOURCE, _build(_project(stack)),
              ("production", [_deploy("p", 1), _action("Approve", "Approval", "Manual", 2)]))
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


@pytest.mark.parametrize("commands", [
    ["echo skipping make test and make report", "npx cdk synth"],
    ["make test || true", "make report || true"],
    ["make testing", "make report-html"],
    ["set +e; make test", "make report"],
])
def test_noncompliance_4_commands_that_only_look_like_the_gate(commands):
    stack = new_stack()
    project = _project(stack, {"version": "0.2", "phases": {"build": {"commands": commands}}})
    _pipeline(stack, SOURCE, _build(project),
              ("production", [_action("Approve", "Approval", "Manual"), _deploy("p", 2)]))
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_5_a_build_phase_that_continues_on_failure():
    stack = new_stack()
    spec = {"version": "0.2", "phases": {"build": {"on-failure": "CONTINUE", "commands": ["make test", "make report"]}}}
    _pipeline(stack, SOURCE, _build(_project(stack, spec)),
              ("production", [_action("Approve", "Approval", "Manual"), _deploy("p", 2)]))
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_6_tagged_production_in_the_middle_without_approval():
    stack = new_stack()
    _pipeline(stack, SOURCE, _build(_project(stack)), ("production", [_deploy("p")]),
              ("sandbox", [_action("Approve", "Approval", "Manual"), _deploy("s", 2)]), production="production")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "stage production (tag ProductionStage) deploys without a manual approval" in evaluation.evidence


def test_compliance_1_gate_then_stages_then_approval_before_production():
    stack = new_stack()
    _pipeline(stack, SOURCE, _build(_project(stack)), ("staging", [_deploy("s")]),
              ("production", [_action("ApproveProduction", "Approval", "Manual"), _deploy("p", 2)]))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "runs make test, make report before any deployment" in evaluation.evidence
    assert "waits for manual approval ApproveProduction before its 1 deploy actions" in evaluation.evidence


def test_compliance_2_an_approval_only_stage_before_production():
    stack = new_stack()
    _pipeline(stack, SOURCE, _build(_project(stack)), ("staging", [_deploy("s")]),
              ("Approve", [_action("Approve", "Approval", "Manual")]), ("production", [_deploy("p")]))
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT


def test_compliance_4_tagged_production_before_a_later_stage():
    stack = new_stack()
    _pipeline(stack, SOURCE, _build(_project(stack)),
              ("production", [_action("Approve", "Approval", "Manual"), _deploy("p", 2)]),
              ("sandbox", [_deploy("s")]), production="production")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "stage production (tag ProductionStage) waits for manual approval Approve" in evaluation.evidence


def test_compliance_3_a_pipeline_that_deploys_nothing_is_not_judged():
    stack = new_stack()
    _pipeline(stack, SOURCE, _build(_project(stack)))
    assert evaluations_of(stack, RULE) == []


def test_unresolved_1_buildspec_known_only_at_deploy_time():
    stack = new_stack()
    spec = cdk.CfnParameter(stack, "Spec").value_as_string
    project = codebuild.CfnProject(stack, "Synth", artifacts={"type": "CODEPIPELINE"},
                                   service_role="arn:aws:iam::1:role/r",
                                   environment={"type": "LINUX_CONTAINER", "image": "x",
                                                "computeType": "BUILD_GENERAL1_SMALL"},
                                   source={"type": "CODEPIPELINE", "buildSpec": spec})
    _pipeline(stack, SOURCE, _build(project),
              ("production", [_action("Approve", "Approval", "Manual"), _deploy("p", 2)]))
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED
