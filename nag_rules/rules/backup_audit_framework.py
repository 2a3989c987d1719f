from typing import Any, Callable

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import tags
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved
from nag_rules.rules.backup_plan_daily_retention import MINIMUM_RETENTION_DAYS
from nag_rules.rules.customer_data_backed_up import CUSTOMER, same_environment
from nag_rules.standards import DATA_CLASSIFICATION_TAG

Verdict = tuple[bool | None, str]

RECORDED_TYPES = ("AWS::Backup::BackupPlan", "AWS::Backup::BackupSelection", "AWS::Backup::BackupVault",
                  "AWS::Backup::RecoveryPoint")
"""What the four controls read from AWS Config (AWS Backup's "Choosing your controls" table)."""

PLAN_DEFAULTS = {"requiredFrequencyUnit": "days", "requiredFrequencyValue": "1", "requiredRetentionDays": "35"}
"""What BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK assumes for a parameter left out."""


def _parameters(control: dict[str, Any]) -> dict[str, str] | str:
    """ControlInputParameters as name -> value, or the words when they are known only at deploy time."""
    entries = control.get("ControlInputParameters") or []
    if not isinstance(entries, list):
        return f"ControlInputParameters = {show(entries)} is known only at deploy time"
    found = {}
    for entry in entries:
        name = entry.get("ParameterName") if isinstance(entry, dict) else None
        value = entry.get("ParameterValue") if isinstance(entry, dict) else None
        if not isinstance(name, str) or isinstance(value, bool) or not isinstance(value, (str, int)):
            return f"ControlInputParameters entry {show(entry)} is known only at deploy time"
        found[name] = str(value)
    return found


def _number(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


def _plan_frequency(parameters: dict[str, str]) -> Verdict:
    shown = ", ".join(f"{name} = {parameters[name]}" if name in parameters else f"{name} = (absent: {default})"
                      for name, default in PLAN_DEFAULTS.items())
    values = {**PLAN_DEFAULTS, **parameters}
    unit, every, kept = (values["requiredFrequencyUnit"], _number(values["requiredFrequencyValue"]),
                         _number(values["requiredRetentionDays"]))
    daily = every is not None and ((unit == "days" and every == 1) or (unit == "hours" and 1 <= every <= 24))
    if not daily:
        return False, f"{shown}: accepts plans that back up less often than daily"
    if kept is None or kept < MINIMUM_RETENTION_DAYS:
        return False, f"{shown}: accepts backups kept less than {MINIMUM_RETENTION_DAYS} days"
    return True, shown


def _vault_lock(parameters: dict[str, str]) -> Verdict:
    low = _number(parameters.get("minRetentionDays"))
    shown = ", ".join(f"{name} = {value}" for name, value in parameters.items()) or "no parameters"
    if low is None or low < MINIMUM_RETENTION_DAYS:
        return False, (f"{shown}: accepts a lock of any minimum retention; set minRetentionDays >= "
                       f"{MINIMUM_RETENTION_DAYS}")
    return True, shown


def _no_parameters(parameters: dict[str, str]) -> Verdict:
    return True, ", ".join(f"{name} = {value}" for name, value in parameters.items())


CUSTOMER_DATA = {DATA_CLASSIFICATION_TAG: CUSTOMER}
CONTROLS: dict[str, tuple[Callable[[dict[str, str]], Verdict], bool]] = {
    "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK": (_plan_frequency, True),
    "BACKUP_RECOVERY_POINT_ENCRYPTED": (_no_parameters, False),
    "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN": (_no_parameters, False),
    "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK": (_vault_lock, False),
}
"""Each control the whitepaper's backups need, how its parameters are judged, and whether its scope must take in
the plan (else the customer data and its recovery points)."""


def _scope(control: dict[str, Any], plan: Resource, of_plans: bool) -> Verdict:
    """Whether the control's scope takes in this plan (plan control) or the customer data (the others)."""
    scope = control.get("ControlScope")
    if not scope:
        return True, "no ControlScope: all it evaluates"
    if not isinstance(scope, dict) or is_intrinsic(scope):
        return None, f"ControlScope = {show(scope)}"
    if scope.get("ComplianceResourceIds"):
        ids = scope["ComplianceResourceIds"]
        if isinstance(ids, list) and any(plan.target(i) is plan for i in ids) and of_plans:
            return True, f"{plan.path} by its id"
        return None, f"ControlScope.ComplianceResourceIds = {show(ids)}: which resources it covers cannot be checked"
    wanted = tags(plan) if of_plans else CUSTOMER_DATA
    scoped: Any = scope.get("Tags")
    if isinstance(scoped, list):
        scoped = {t.get("Key"): t.get("Value") for t in scoped if isinstance(t, dict)} \
            if all(isinstance(t, dict) and not is_intrinsic(t) for t in scoped) else None
    if scoped is not None and (not isinstance(scoped, dict) or is_intrinsic(scoped)):
        return None, f"ControlScope.Tags = {show(scope.get('Tags'))}"
    if scoped and any(k not in wanted or (v is not None and wanted[k] != v) for k, v in scoped.items()):
        subject = plan.path if of_plans else f"the customer data ({DATA_CLASSIFICATION_TAG} = {CUSTOMER})"
        return False, f"ControlScope.Tags {show(scoped)} leaves out {subject}"
    types = scope.get("ComplianceResourceTypes")
    if types and (not isinstance(types, list) or any(not isinstance(t, str) for t in types)):
        return None, f"ControlScope.ComplianceResourceTypes = {show(types)}"
    described = [f"resources tagged {', '.join(k if v is None else f'{k} = {v}' for k, v in scoped.items())}"] \
        if scoped else []
    described += [f"types {', '.join(types)}"] if types else []
    return True, "; ".join(described) or "no ControlScope: all it evaluates"


def _control(control: Any, plan: Resource) -> tuple[str | None, bool | None, str]:
    """(control name, verdict, words) for one FrameworkControls entry."""
    if not isinstance(control, dict) or not isinstance(control.get("ControlName"), str):
        return None, None, f"control {show(control)} is known only at deploy time"
    name = control["ControlName"]
    if name not in CONTROLS:
        return name, True, name
    judge, of_plans = CONTROLS[name]
    parameters = _parameters(control)
    if isinstance(parameters, str):
        return name, None, f"{name}: {parameters}"
    fit, given = judge(parameters)
    covered, scope = _scope(control, plan, of_plans)
    verdict = False if False in (fit, covered) else None if None in (fit, covered) else True
    words = f"{given}; " if given else ""
    return name, verdict, f"{name} ({words}{scope})" if verdict else f"{name}: {given if not fit else scope}"


def _recorder(plan: Resource) -> Verdict:
    """Whether AWS Config records the backup resources the controls evaluate, in the plan's account and region."""
    recorders = [r for r in plan.stack.assembly.of_type("AWS::Config::ConfigurationRecorder")
                 if same_environment(r.stack, plan.stack) is not False]
    verdicts = []
    for recorder in recorders:
        if same_environment(recorder.stack, plan.stack) is None or recorder.condition:
            verdicts.append((None, f"{recorder.path} may not record in {plan.stack.environment}"))
            continue
        group = recorder.prop("RecordingGroup")
        if group is None:
            return True, f"{recorder.path} records every supported type (no RecordingGroup)"
        if not isinstance(group, dict) or is_intrinsic(group):
            verdicts.append((None, f"{recorder.path}: RecordingGroup = {show(group)}"))
            continue
        if is_intrinsic(group.get("AllSupported")):
            verdicts.append((None, f"{recorder.path}: RecordingGroup.AllSupported = {show(group['AllSupported'])}"))
            continue
        if group.get("AllSupported") in (True, "true"):
            return True, f"{recorder.path} records every supported type (RecordingGroup.AllSupported = true)"
        excluded = (group.get("ExclusionByResourceTypes") or {}).get("ResourceTypes") \
            if isinstance(group.get("ExclusionByResourceTypes"), dict) else None
        listed = excluded if excluded is not None else group.get("ResourceTypes") or []
        if not isinstance(listed, list) or not all(isinstance(t, str) for t in listed):
            verdicts.append((None, f"{recorder.path}: RecordingGroup = {show(group)}"))
            continue
        missing = [t for t in RECORDED_TYPES if (t in listed) == (excluded is not None)]
        if missing:
            verdicts.append((False, f"{recorder.path} does not record {', '.join(missing)}: the controls on them "
                                    "evaluate nothing"))
        else:
            return True, f"{recorder.path} records {', '.join(RECORDED_TYPES)}"
    if any(verdict is False for verdict, _ in verdicts):
        return False, "; ".join(words for _, words in verdicts)
    return None, "; ".join(words for _, words in verdicts) or (
        f"no AWS::Config::ConfigurationRecorder of this app in {plan.stack.environment}: Backup Audit Manager "
        "evaluates nothing without AWS Config recording")


def backup_audit_framework(resource: Resource) -> Check:
    frameworks = [f for f in resource.stack.assembly.of_type("AWS::Backup::Framework")
                  if same_environment(f.stack, resource.stack) is not False]
    if not frameworks:
        return non_compliant(f"no AWS::Backup::Framework of this app in {resource.stack.environment}: nothing checks "
                             "the backups once deployed")
    held: dict[str, tuple[str, str]] = {}
    problems: dict[str, list[tuple[bool | None, str]]] = {name: [] for name in CONTROLS}
    unknown_frameworks = []
    for framework in frameworks:
        if same_environment(framework.stack, resource.stack) is None or framework.condition:
            unknown_frameworks.append(f"{framework.path} may not exist in {resource.stack.environment}")
            continue
        controls = framework.prop("FrameworkControls")
        if not isinstance(controls, list):
            unknown_frameworks.append(f"{framework.path}: FrameworkControls = {show(controls)}")
            continue
        for control in controls:
            name, verdict, words = _control(control, resource)
            if name is None:
                unknown_frameworks.append(f"{framework.path}: {words}")
            elif name in CONTROLS and verdict:
                held.setdefault(name, (framework.path, words))
            elif name in CONTROLS:
                problems[name].append((verdict, f"{framework.path}: {words}"))
    missing = [name for name in CONTROLS if name not in held]
    if missing:
        found = [words for name in missing for _, words in problems[name]]
        evidence = "; ".join([f"no framework in {resource.stack.environment} has {', '.join(missing)} as required",
                              *found, *unknown_frameworks])
        uncertain = unknown_frameworks or any(v is None for name in missing for v, _ in problems[name])
        return unresolved(evidence) if uncertain else non_compliant(evidence)
    recorded, recording = _recorder(resource)
    by_framework: dict[str, list[str]] = {}
    for name in CONTROLS:
        by_framework.setdefault(held[name][0], []).append(held[name][1])
    evidence = "; ".join(f"{path} has {', '.join(words)}" for path, words in by_framework.items())
    if recorded is None:
        return unresolved(f"{evidence}; {recording}")
    if recorded is False:
        return non_compliant(f"{evidence}; but {recording}")
    return compliant(f"{evidence}; AWS Config: {recording}")


RULE = Rule(
    name="BackupAuditFramework",
    clauses=("12.3.1",),
    resource_types=("AWS::Backup::BackupPlan",),
    info="No AWS Backup Audit Manager framework in the plan's account and region checks daily backups kept a "
         "week, encrypted, of every customer data store, in locked vaults, with AWS Config recording.",
    explanation=(
        "The templates prove the backups as designed; Backup Audit Manager proves them as they run. In the plan's "
        "account and region an AWS::Backup::Framework must have the controls "
        "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK (requiredFrequencyUnit days with requiredFrequencyValue "
        "1, or hours with at most 24; requiredRetentionDays >= 7; left out, days/1/35), "
        "BACKUP_RECOVERY_POINT_ENCRYPTED, BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN and "
        "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK (minRetentionDays >= 7), each scoped to take in the plan or "
        "the customer data (no scope, or a tag the plan or DataClassification = customer carries; resource types "
        "are taken as written). Parameter values are strings. The controls evaluate what AWS "
        "Config records, so an AWS::Config::ConfigurationRecorder in the same account and region must record the "
        "AWS Backup plans, selections, vaults and recovery points (one outside this app cannot be checked). The "
        "DailyBackup construct creates the framework."
    ),
    check=backup_audit_framework,
)
