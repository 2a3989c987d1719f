import json
from typing import Any

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import tags, text
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved

GATE_COMMANDS = ("make test", "make report")
"""What the build before any deployment must run: the test suite, and the clause report whose gate fails the
build on any unacknowledged finding."""
PRODUCTION_TAG = "ProductionStage"
"""Tag of the pipeline naming its production stage; without it the last stage that deploys is taken as production."""
PHASES = ("install", "pre_build", "build")
SHELL_ESCAPES = ("||", ";", "&", "|", "set +e")
"""Inside a gate command, any of these could let a failure pass."""


def _commands(spec: str) -> tuple[list[str] | None, str]:
    """The commands of a JSON buildspec's phases whose failure fails the build, or None and why not."""
    try:
        document = json.loads(spec)
    except ValueError:
        return None, "the buildspec is not JSON, so its commands cannot be read"
    phases = document.get("phases") if isinstance(document, dict) else None
    commands: list[str] = []
    for name in PHASES:
        phase = (phases or {}).get(name) or {}
        if not isinstance(phase, dict):
            return None, f"phases.{name} = {show(phase)}"
        if str(phase.get("on-failure", "ABORT")).upper() == "CONTINUE":
            continue
        commands += [str(command).strip() for command in phase.get("commands") or []]
    return commands, ""


def _runs(commands: list[str], gate: str) -> bool:
    return any((command == gate or command.startswith(gate + " ")) and not any(e in command for e in SHELL_ESCAPES)
               for command in commands)


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
            commands, why = _commands(spec)
            if commands is None:
                return None, f"{project.path}: {why}"
            missing = [command for command in GATE_COMMANDS if not _runs(commands, command)]
            if not missing:
                return True, (f"stage {stage.get('Name')} action {action.get('Name')} builds {project.path}, whose "
                              f"buildspec runs {', '.join(GATE_COMMANDS)} before any deployment")
            seen.append(f"{stage.get('Name')}/{action.get('Name')} ({project.path} does not run "
                        f"{', '.join(missing)} as a command whose failure fails the build)")
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
    named = tags(resource).get(PRODUCTION_TAG)
    if is_intrinsic(named):
        return unresolved(f"tag {PRODUCTION_TAG} = {show(named)}")
    if named is not None and named not in [s.get("Name") for s in deploying]:
        return non_compliant(f"tag {PRODUCTION_TAG} = {named}, but no stage of that name deploys anything")
    last = next(s for s in deploying if s.get("Name") == named) if named is not None else deploying[-1]
    which = f"tag {PRODUCTION_TAG}" if named is not None else "the last to deploy"
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
    approval_words = (f"stage {last.get('Name')} ({which}) waits for manual approval "
                      f"{', '.join(str(a.get('Name')) for a in approvals)} before its {len(_actions(last, 'Deploy'))} "
                      "deploy actions" if approvals else
                      f"stage {last.get('Name')} ({which}) deploys without a manual approval before it")
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
        f"({', '.join(GATE_COMMANDS)}) as commands of a JSON buildspec phase that aborts on failure, with no shell "
        f"operator that could swallow their exit code; the production stage (named by the pipeline's "
        f"{PRODUCTION_TAG} tag, else the last stage that deploys) waits for a manual approval (an Approval action "
        "with provider Manual "
        "whose RunOrder precedes every deploy action of that stage, or an approval-only stage right before it). "
        "Each approval and each run's commit are then in the pipeline's history and in CloudTrail "
        "(PutApprovalResult, StartPipelineExecution)."
    ),
    check=pipeline_gated_delivery,
)
