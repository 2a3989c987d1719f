import re
from typing import Any

from nag_rules.assembly import Resource, contains_intrinsic, is_intrinsic, referenced_logical_id, show
from nag_rules.cfn import text
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, unresolved

GROUP_TAG = "aws:autoscaling:groupName"
"""The tag Auto Scaling puts on every instance it launches, whose value is the group's name."""

PATCH_DOCUMENT = "AWS-RunPatchBaseline"
PATCH_GROUP_TAGS = ("Patch Group", "PatchGroup")
"""Instance tags that pick the baseline registered for a patch group instead of the default baseline."""

OS_OF_IMAGE = {
    "/aws/service/ami-amazon-linux-latest/al2023-": "AMAZON_LINUX_2023",
    "/aws/service/ami-amazon-linux-latest/amzn2-": "AMAZON_LINUX_2",
    "/aws/service/canonical/ubuntu/": "UBUNTU",
    "/aws/service/ami-windows-latest/": "WINDOWS",
}
"""Public SSM parameter paths of AMIs and the patch baseline OperatingSystem their instances run."""


def servers_patched(resource: Resource) -> Check:
    selecting, unknown = _window_targets(resource)
    if not selecting:
        if unknown:
            return unresolved("; ".join(unknown))
        return non_compliant(f"no AWS::SSM::MaintenanceWindowTarget selects the group's instances (Key "
                             f"tag:{GROUP_TAG}, Values the group's name)")
    failures, patching = [], []
    for target in selecting:
        tasks = [t for t in resource.stack.assembly.of_type("AWS::SSM::MaintenanceWindowTask") if _runs_on(t, target)]
        if not tasks:
            failures.append(f"no maintenance window task runs on {target.path}")
        for task in tasks:
            found = _patch_task(task, target)
            if isinstance(found, str):
                patching.append(found)
            elif found.outcome is Outcome.NON_COMPLIANT:
                failures.append(found.evidence)
            else:
                unknown.append(found.evidence)
    if not patching:
        if unknown:
            return unresolved("; ".join(failures + unknown))
        return non_compliant("; ".join(failures))
    baseline = _baseline(resource)
    if isinstance(baseline, Check):
        return baseline
    return compliant(f"{patching[0]}; baseline {baseline}")


def _window_targets(group: Resource) -> tuple[list[Resource], list[str]]:
    """The maintenance window targets (same account and region) every entry of which matches the group's
    instances: entries are ANDed, the values of one entry ORed."""
    name = text(group.prop("AutoScalingGroupName"), group)
    propagated = _instance_tags(group)
    found, unknown = [], []
    for target in group.stack.assembly.of_type("AWS::SSM::MaintenanceWindowTarget"):
        if (target.stack.account, target.stack.region) != (group.stack.account, group.stack.region):
            continue
        entries = target.prop("Targets", default=[])
        if target.prop("ResourceType") != "INSTANCE" or not isinstance(entries, list) or not entries:
            continue
        verdicts = [_selects(target, entry, group, name, propagated) for entry in entries]
        if all(v is True for v in verdicts):
            if target.condition is None:
                found.append(target)
            else:
                unknown.append(f"{target.path} exists only if Condition {target.condition} holds")
        elif None in verdicts and False not in verdicts:
            unknown.append(f"{target.path}: Targets = {show(entries)[:200]}")
    return found, unknown


def _selects(target: Resource, entry: Any, group: Resource, name: str | None,
             propagated: dict[str, Any]) -> bool | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("Key"), str):
        return None
    key, values = entry["Key"], entry.get("Values")
    if not isinstance(values, list):
        return None
    if key == f"tag:{GROUP_TAG}":
        if any(target.target(v) is group or (name is not None and text(v, target) == name) for v in values):
            return True
        return None if any(contains_intrinsic(v) and target.target(v) is None for v in values) else False
    if key.startswith("tag:") and key[4:] in propagated:
        return propagated[key[4:]] in [text(v, target) for v in values]
    return False


def _instance_tags(group: Resource) -> dict[str, Any]:
    """Tags the group's instances carry: the launch template's instance tags and the group's propagated tags."""
    tags: dict[str, Any] = {}
    template = _launch_template(group)
    if template is not None:
        for spec in template.prop("LaunchTemplateData", "TagSpecifications", default=[]) or []:
            if isinstance(spec, dict) and spec.get("ResourceType") == "instance":
                tags.update({t.get("Key"): t.get("Value") for t in spec.get("Tags") or [] if isinstance(t, dict)})
    tags.update({t.get("Key"): t.get("Value") for t in group.prop("Tags", default=[]) or []
                 if isinstance(t, dict) and t.get("PropagateAtLaunch") in (True, "true")})
    return tags


def _launch_template(group: Resource) -> Resource | None:
    spec = group.prop("LaunchTemplate")
    if not isinstance(spec, dict):
        return None
    template = group.target(spec.get("LaunchTemplateId", spec.get("LaunchTemplateName")))
    return template if template is not None and template.type == "AWS::EC2::LaunchTemplate" else None


def _runs_on(task: Resource, target: Resource) -> bool:
    return any(isinstance(entry, dict) and entry.get("Key") == "WindowTargetIds"
               and any(task.target(v) is target for v in entry.get("Values") or [])
               for entry in task.prop("Targets", default=[]) or [])


def _patch_task(task: Resource, target: Resource) -> str | Check:
    """Evidence of a task that installs patches on ``target`` at least weekly, else the verdict on it."""
    document = text(task.prop("TaskArn"), task)
    if document is None:
        return unresolved(f"{task.path}: TaskArn = {show(task.prop('TaskArn'))}")
    if document != PATCH_DOCUMENT and not document.endswith(f":document/{PATCH_DOCUMENT}"):
        return non_compliant(f"{task.path} runs {document}, not {PATCH_DOCUMENT}")
    parameters = task.prop("TaskInvocationParameters", "MaintenanceWindowRunCommandParameters", "Parameters")
    operation = (parameters or {}).get("Operation") if isinstance(parameters, dict) else None
    if operation is None:
        legacy = task.prop("TaskParameters", "Operation", "Values")
        operation = legacy if legacy is not None else operation
    if contains_intrinsic(operation) or (parameters is not None and not isinstance(parameters, dict)):
        return unresolved(f"{task.path}: Operation = {show(operation if parameters is not None else parameters)}")
    if operation not in (["Install"], "Install"):
        shown = "(absent: Scan)" if operation is None else show(operation)
        return non_compliant(f"{task.path}: Operation = {shown}: patches are reported, not installed")
    if isinstance(parameters, dict) and parameters.get("BaselineOverride"):
        return unresolved(f"{task.path}: BaselineOverride = {show(parameters['BaselineOverride'])}: the approval "
                          "rules are in a file outside this app")
    window = task.target(task.prop("WindowId"))
    if window is None or window.type != "AWS::SSM::MaintenanceWindow":
        return unresolved(f"{task.path}: WindowId = {show(task.prop('WindowId'))}, a window outside this app")
    if target.target(target.prop("WindowId")) is not window:
        return non_compliant(f"{task.path} belongs to {window.path}, not to the window of {target.path}")
    schedule = _schedule(window)
    if isinstance(schedule, Check):
        return schedule
    if task.condition is not None:
        return unresolved(f"{task.path} exists only if Condition {task.condition} holds")
    return (f"{task.path} runs {PATCH_DOCUMENT} with Operation Install on {target.path} (tag:{GROUP_TAG}) in "
            f"{window.path}, {schedule}")


def _schedule(window: Resource) -> str | Check:
    value = window.prop("Schedule")
    schedule = text(value, window)
    if schedule is None:
        return unresolved(f"{window.path}: Schedule = {show(value)}")
    if window.condition is not None:
        return unresolved(f"{window.path} exists only if Condition {window.condition} holds")
    end = window.prop("EndDate")
    if end is not None:
        return non_compliant(f"{window.path}: EndDate = {show(end)}: the window stops opening then")
    gap = _longest_gap_days(schedule)
    if gap is None:
        return unresolved(f"{window.path}: Schedule = {schedule} is not a cron or rate expression read here")
    if gap > 7:
        apart = "it runs once or only in some months or years" if gap == float("inf") else f"up to {gap:g} days apart"
        return non_compliant(f"{window.path}: Schedule = {schedule}: {apart}, not at least weekly")
    zone = window.prop("ScheduleTimezone")
    days = f"{gap:g} day{'' if gap == 1 else 's'}"
    return f"Schedule = {schedule}{f' ({show(zone)})' if zone else ' (UTC)'}, at most {days} apart"


_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_MONTHS = ("*", "1-12", "JAN-DEC")
_WEEKDAYS = {d: i for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)}


def _longest_gap_days(schedule: str) -> float | None:
    """The most days that can pass between two runs of a cron or rate expression (inf if it runs once or
    only in some months or years); None if the expression is not read here."""
    rate = _RATE.fullmatch(schedule)
    if rate:
        count, unit = int(rate[1]), rate[2]
        return count / 1440 if unit.startswith("minute") else count / 24 if unit.startswith("hour") else count
    if schedule.startswith("at("):
        return float("inf")
    cron = re.fullmatch(r"cron\((.+)\)", schedule)
    fields = cron[1].split() if cron else []
    if len(fields) != 6:
        return None
    _, _, day_of_month, month, day_of_week, year = fields
    if month.upper() not in _MONTHS or year != "*":
        return float("inf")
    if day_of_week not in ("?", "*"):
        if "#" in day_of_week or "L" in day_of_week.upper():
            return float("inf")
        days = _values(day_of_week.upper(), 1, 7, _WEEKDAYS)
        return None if days is None else _cyclic_gap(days, 7)
    if day_of_month in ("*", "?"):
        return 1
    if "L" in day_of_month.upper() or "W" in day_of_month.upper():
        return float("inf")
    days = _values(day_of_month, 1, 31, {})
    if days is None:
        return None
    return max(_cyclic_gap([d for d in days if d <= length], length, min(days)) for length in (28, 29, 30, 31))


def _values(field: str, low: int, high: int, names: dict[str, int]) -> list[int] | None:
    found: set[int] = set()
    for part in field.split(","):
        base, _, step = part.partition("/")
        if base == "*":
            start, end = low, high
        else:
            first, _, last = base.partition("-")
            start, end = _number(first, names), _number(last or first, names)
            end = high if step and not last else end
        if start is None or end is None or (step and not step.isdigit()) or not low <= start <= end <= high:
            return None
        found.update(range(start, end + 1, int(step) if step else 1))
    return sorted(found)


def _number(value: str, names: dict[str, int]) -> int | None:
    return names.get(value, int(value) if value.isdigit() else None)


def _cyclic_gap(days: list[int], length: int, next_first: int | None = None) -> float:
    if not days:
        return float("inf")
    gaps = [b - a for a, b in zip(days, days[1:])]
    return max(gaps + [length - days[-1] + (days[0] if next_first is None else next_first)])


def _baseline(group: Resource) -> str | Check:
    """The baseline the group's instances are patched with: the one of their patch group, else the default
    baseline for their operating system (inferred from the launch template's public AMI parameter)."""
    operating_system, source = _operating_system(group)
    tags = _instance_tags(group)
    patch_group = next((tags[k] for k in PATCH_GROUP_TAGS if k in tags), None)
    if contains_intrinsic(patch_group):
        return unresolved(f"patch group tag = {show(patch_group)}")
    here = (group.stack.account, group.stack.region)
    unknown, candidates = [], []
    for baseline in group.stack.assembly.of_type("AWS::SSM::PatchBaseline"):
        if (baseline.stack.account, baseline.stack.region) != here:
            continue
        system = baseline.prop("OperatingSystem", default="WINDOWS")
        default = baseline.prop("DefaultBaseline")
        groups = baseline.prop("PatchGroups", default=[]) or []
        if is_intrinsic(system) or is_intrinsic(default) or contains_intrinsic(groups):
            unknown.append(f"{baseline.path} holds values known only at deploy time")
            continue
        chosen = patch_group in groups if patch_group is not None else default in (True, "true")
        if chosen and (operating_system is None or system == operating_system):
            candidates.append((baseline, system))
    which = f"patch group {patch_group}" if patch_group is not None else "default"
    for_os = f" for {operating_system} ({source})" if operating_system else " (operating system not inferred)"
    if not candidates:
        if unknown:
            return unresolved(f"no {which} patch baseline{for_os} found; " + "; ".join(unknown))
        return non_compliant(f"no AWS::SSM::PatchBaseline in {group.stack.environment} is the {which} baseline"
                             f"{for_os}: the approval rules the servers are patched with are not in this app")
    baseline, system = candidates[0]
    if baseline.condition is not None:
        return unresolved(f"{baseline.path} exists only if Condition {baseline.condition} holds")
    rules = _approval_rules(baseline)
    if isinstance(rules, Check):
        return rules
    return f"{baseline.path} ({system}, {which}{'' if operating_system else ', operating system not inferred'}): " \
           f"{rules}"


def _operating_system(group: Resource) -> tuple[str | None, str]:
    template = _launch_template(group)
    if template is None:
        return None, ""
    image = template.prop("LaunchTemplateData", "ImageId")
    parameter = (template.stack.template.get("Parameters") or {}).get(referenced_logical_id(image) or "")
    path = parameter.get("Default") if isinstance(parameter, dict) else None
    if isinstance(image, str) and image.startswith("resolve:ssm:"):
        path = image.removeprefix("resolve:ssm:")
    if not isinstance(path, str):
        return None, ""
    system = next((os for prefix, os in OS_OF_IMAGE.items() if path.startswith(prefix)), None)
    return system, f"image {path}"


def _approval_rules(baseline: Resource) -> str | Check:
    rules = baseline.prop("ApprovalRules", "PatchRules", default=[]) or []
    approved = baseline.prop("ApprovedPatches", default=[]) or []
    if contains_intrinsic(rules) or not isinstance(rules, list):
        return unresolved(f"{baseline.path}: ApprovalRules = {show(rules)[:200]}")
    described = []
    for rule in (r for r in rules if isinstance(r, dict)):
        filters = (rule.get("PatchFilterGroup") or {}).get("PatchFilters") or []
        what = ", ".join(f"{f.get('Key')} {'/'.join(map(str, f.get('Values') or []))}" for f in filters
                         if isinstance(f, dict)) or "every patch"
        when = (f"after {rule['ApproveAfterDays']} days" if "ApproveAfterDays" in rule
                else f"released by {rule.get('ApproveUntilDate')}")
        described.append(f"{what} {when}")
    if approved:
        described.append(f"ApprovedPatches {', '.join(map(str, approved))}")
    if not described:
        return non_compliant(f"{baseline.path} has no approval rules and no approved patches: it installs nothing")
    return "approves " + "; ".join(described)


RULE = Rule(
    name="ServersPatched",
    clauses=("12.6.1",),
    resource_types=("AWS::AutoScaling::AutoScalingGroup",),
    info="The group's servers are not patched at least weekly by an SSM maintenance window running "
         "AWS-RunPatchBaseline with Operation Install under a patch baseline of this app.",
    explanation=(
        "Known vulnerabilities are closed by installing patches: an AWS::SSM::MaintenanceWindowTarget selects "
        f"the group's instances (Key tag:{GROUP_TAG}, Values the group's name by reference or literally; every "
        f"entry must match, so extra entries may only name tags the group propagates at launch), an "
        f"AWS::SSM::MaintenanceWindowTask of that window runs {PATCH_DOCUMENT} on it with Parameters Operation "
        "[Install], and the window's Schedule (a cron or rate expression, no EndDate) leaves at most 7 days "
        "between runs. The baseline that applies is in this app: the one registered for the instances' patch "
        "group (a propagated Patch Group tag), else the default baseline (DefaultBaseline true) for their "
        "operating system, inferred from the launch template's public AMI parameter where possible; it must "
        "approve something. A BaselineOverride file is outside the app and leaves the rules unknown. Use the "
        "PatchManagement construct."
    ),
    check=servers_patched,
    security_hub=("SSM.2",),
)
