from typing import Any

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import text
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved

GATE_COMMANDS = ("make test", "make report")
"""What the build before any deployment must run: the test suite, and the clause report whose gate fails the
build on any unacknowledged finding."""


def _actions(stage: dict[str, Any], category: str) -> list[dict[str, Any]]:
    return [a for a in stage.get("Actions") or [] if isinstance(a, dict)
            and (a.get("ActionTypeId") or {}).get("Category") == category]


def _run_order(action: dict[str, Any]) -> int | str:
    order = action.get("RunOrder", 1)
    return int(order) if isinstance(order, int) or (isinstance(order, str) and order.isdigit()) else show(order)


def _gate(pipeline: Resource, stages: list[dict[str, Any]]) -> tuple[bool | None, str]:
    """Whether a build before the first deployment runs GATE_COMMANDS, and which one (or why not)."""
    seen = []
    for stage in stages:
        if _actions(stage, "Deploy"):
            break
        for action in _actions(stage, "Build"):
            project = pipeline.target((action.get("Configuration") or {}).get("ProjectName"))
            if project is None or project.type != "AWS::CodeBuild::Project":
                seen.append(f"{stage.get('Name')}/{action.get('Name')} (project not in this app)")
                continue
            spec = text(project.prop("Source", "BuildSpec"), project)
            if spec is None:
                return None, f"{project.path} Source.BuildSpec = {show(project.prop('Source', 'BuildSpec'))}"
            missing = [command for command in GATE_COMMANDS if command not in spec]
            if not missing:
                return True, (f"stage {stage.get('Name')} action {action.get('Name')} builds {project.path}, whose "
                              f"buildspec runs {', '.join(GATE_COMMANDS)} before any deployment")
            seen.append(f"{stage.get('Name')}/{action.get('Name')} ({project.path} does not run {', '.join(missing)})")
    return False, "no build before the first deployment runs " + " and ".join(GATE_COMMANDS) + \
        (f": {'; '.join(seen)}" if seen else "")


def pipeline_gated_delivery(resource: Resource) -> Check:
    stages = resource.prop("Stages")
    if is_intrinsic(stages) or not isinstance(stages, list) or not all(isinstance(s, dict) for s in stages):
        return unresolved(f"Stages = {show(stages)}")
    deploying = [s for s in stages if _actions(s, "Deploy")]
    if not deploying:
        return not_applicable("no stage deploys anything")
    gated, gate_words = _gate(resource, stages)
    if gated is None:
        return unresolved(gate_words)
    last = deploying[-1]
    orders = [_run_order(a) for a in _actions(last, "Deploy") + _actions(last, "Approval")]
    if any(isinstance(order, str) for order in orders):
        return unresolved(f"stage {last.get('Name')}: a RunOrder is known only at deploy time")
    first_deploy = min(_run_order(a) for a in _actions(last, "Deploy"))
    approvals = [a for a in _actions(last, "Approval") if (a.get("ActionTypeId") or {}).get("Provider") == "Manual"
                 and _run_order(a) < first_deploy]
    before = stages[stages.index(last) - 1] if stages.index(last) > 0 else {}
    if not approvals and _actions(before, "Approval") and not _actions(before, "Deploy"):
        approvals = [a for a in _actions(before, "Approval")
                     if (a.get("ActionTypeId") or {}).get("Provider") == "Manual"]
    approval_words = (f"stage {last.get('Name')} (the last to deploy) waits for manual approval "
                      f"{', '.join(str(a.get('Name')) for a in approvals)} before its {len(_actions(last, 'Deploy'))} "
                      "deploy actions" if approvals else
                      f"stage {last.get('Name')} (the last to deploy) deploys without a manual approval before it")
    if not gated or not approvals:
        return non_compliant("; ".join(words for ok, words in ((gated, gate_words), (bool(approvals), approval_words))
                                       if not ok))
    return compliant(f"{gate_words}; {approval_words}; deploy stages in order: "
                     f"{', '.join(str(s.get('Name')) for s in deploying)}")


RULE = Rule(
    name="PipelineGatedDelivery",
    clauses=("12.1.2",),
    resource_types=("AWS::CodePipeline::Pipeline",),
    info="The pipeline deploys without the tested compliance gate first, or deploys its last (production) stage "
         "without a manual approval.",
    explanation=(
        "Changes are controlled: before any stage deploys, a build runs the test suite and the clause report "
        f"({', '.join(GATE_COMMANDS)}), whose exit code fails the build on any unacknowledged finding; the last "
        "stage that deploys (production) waits for a manual approval (an Approval action with provider Manual "
        "whose RunOrder precedes every deploy action of that stage, or an approval-only stage right before it). "
        "Each approval and each run's commit are then in the pipeline's history and in CloudTrail "
        "(PutApprovalResult, StartPipelineExecution)."
    ),
    check=pipeline_gated_delivery,
)
