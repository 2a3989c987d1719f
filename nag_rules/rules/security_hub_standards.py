from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import text
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved

FSBP = "aws-foundational-security-best-practices/v/1.0.0"
CIS_V5 = "cis-aws-foundations-benchmark/v/5.0.0"
REQUIRED = {FSBP: "AWS Foundational Security Best Practices v1.0.0", CIS_V5: "CIS AWS Foundations Benchmark v5.0.0"}
"""Standards every hub runs, by the part of their ARN after ``standards/`` (``DescribeStandards`` gives
``arn:<partition>:securityhub:<region>::standards/<this>``)."""

KEPT_CONTROLS = ("GuardDuty.1", "Config.1", "CloudTrail.1", "CloudTrail.2", "Inspector.1", "Inspector.2", "SSM.2")
"""Controls that watch what CLD.12.4.5 and 12.6.1 rely on: none may be disabled."""

CIS_NUMBERS = {
    # "Related requirements" of each control in the Security Hub controls reference (Config.1: CIS v5.0.0/3.3,
    # v3.0.0/3.3, v1.4.0/3.5, v1.2.0/2.5; CloudTrail.1 and .2: 3.1 and 3.5 in v5.0.0 and v3.0.0, 3.1 and 3.7
    # in v1.4.0, 2.1 and 2.7 in v1.2.0). GuardDuty, Inspector and SSM controls are in no CIS version.
    "cis-aws-foundations-benchmark/v/5.0.0": {"3.1": "CloudTrail.1", "3.5": "CloudTrail.2", "3.3": "Config.1"},
    "cis-aws-foundations-benchmark/v/3.0.0": {"3.1": "CloudTrail.1", "3.5": "CloudTrail.2", "3.3": "Config.1"},
    "cis-aws-foundations-benchmark/v/1.4.0": {"3.1": "CloudTrail.1", "3.7": "CloudTrail.2", "3.5": "Config.1"},
    "cis-aws-foundations-benchmark/v/1.2.0": {"2.1": "CloudTrail.1", "2.7": "CloudTrail.2", "2.5": "Config.1"},
}
"""CIS standards name their controls by requirement number (``control/<standard>/<number>``), not by the
security control ID the other standards use."""


def security_hub_standards(resource: Resource) -> Check:
    stack = resource.stack
    if stack.region is None:
        return unresolved("the stack's region is known only at deploy time: the standards' ARNs cannot be checked")
    partition = {"cn": "aws-cn", "us-gov": "aws-us-gov"}.get(stack.region.rsplit("-", 2)[0], "aws")
    prefix = f"arn:{partition}:securityhub:{stack.region}::standards/"
    found: dict[str, str] = {}
    others, unknown = [], []
    for standard in stack.assembly.of_type("AWS::SecurityHub::Standard"):
        if (standard.stack.account, standard.stack.region) != (stack.account, stack.region):
            continue
        arn = text(standard.prop("StandardsArn"), standard)
        if arn is None:
            unknown.append(f"{standard.path}: StandardsArn = {show(standard.prop('StandardsArn'))}")
            continue
        wanted = arn[len(prefix):] if arn.startswith(prefix) else None
        if wanted not in REQUIRED:
            others.append(f"{standard.path} ({arn})")
        elif standard.condition is not None:
            unknown.append(f"{standard.path} exists only if Condition {standard.condition} holds")
        else:
            found.setdefault(wanted, f"{standard.path} ({arn}{_disabled(standard)})")
    defaults = resource.prop("EnableDefaultStandards")
    if is_intrinsic(defaults):
        unknown.append(f"EnableDefaultStandards = {show(defaults)}")
    elif defaults in (None, True, "true") and FSBP not in found:
        found[FSBP] = (f"EnableDefaultStandards = {'(absent: true)' if defaults is None else 'true'}, "
                       "which enables FSBP and CIS v1.2.0 only")
    missing = [name for key, name in REQUIRED.items() if key not in found]
    controls_unknown: list[str] = []
    recorder_unknown: list[str] = []
    disabled = _kept_controls_disabled(resource, controls_unknown)
    recorder = _recorder(resource, recorder_unknown)
    definite, doubtful = [], []
    if missing:
        evidence = (f"not enabled in {stack.environment}: {', '.join(missing)} (expected {prefix}"
                    f"{' or '.join(k for k, n in REQUIRED.items() if n in missing)})")
        if others:
            evidence += "; other standards: " + ", ".join(others)
        (doubtful if unknown else definite).append(evidence)
    if disabled:
        definite.append("controls disabled: " + ", ".join(disabled))
    if recorder is None:
        (doubtful if recorder_unknown else definite).append(
            f"no AWS::Config::ConfigurationRecorder in {stack.environment}: most controls are AWS Config rules "
            "and evaluate nothing without it")
    if definite:
        return non_compliant("; ".join(definite))
    if doubtful or unknown or controls_unknown or recorder_unknown:
        return unresolved("; ".join(doubtful + unknown + controls_unknown + recorder_unknown))
    return compliant("; ".join(f"{REQUIRED[key]}: {found[key]}" for key in REQUIRED)
                     + f"; {', '.join(KEPT_CONTROLS)} not disabled; AWS Config recorder {recorder}")


def _control_ids(standard: Resource, unknown: list[str]) -> list[str]:
    """The security control IDs a standard disables (CIS requirement numbers translated where known)."""
    ids = []
    for entry in standard.prop("DisabledStandardsControls") or []:
        value = entry.get("StandardsControlArn") if isinstance(entry, dict) else entry
        arn = text(value, standard)
        if arn is None:
            unknown.append(f"{standard.path}: DisabledStandardsControls holds {show(value)}")
            continue
        path, _, control = arn.partition(":control/")[2].rpartition("/")
        ids.append(CIS_NUMBERS.get(path, {}).get(control, control))
    return ids


def _kept_controls_disabled(hub: Resource, unknown: list[str]) -> list[str]:
    here = (hub.stack.account, hub.stack.region)
    found = []
    for standard in hub.stack.assembly.of_type("AWS::SecurityHub::Standard"):
        if (standard.stack.account, standard.stack.region) == here:
            found += [f"{control} in {standard.path}" for control in _control_ids(standard, unknown)
                      if control in KEPT_CONTROLS]
    return found


def _recorder(hub: Resource, unknown: list[str]) -> str | None:
    here = (hub.stack.account, hub.stack.region)
    for recorder in hub.stack.assembly.of_type("AWS::Config::ConfigurationRecorder"):
        if (recorder.stack.account, recorder.stack.region) != here:
            continue
        if recorder.condition is None:
            return recorder.path
        unknown.append(f"{recorder.path} exists only if Condition {recorder.condition} holds")
    return None


def _disabled(standard: Resource) -> str:
    ids = _control_ids(standard, [])
    return f", controls disabled: {', '.join(ids)}" if ids else ""


RULE = Rule(
    name="SecurityHubStandards",
    clauses=("12.6.1", "CLD.12.4.5"),
    resource_types=("AWS::SecurityHub::Hub",),
    info="Security Hub does not run both the AWS Foundational Security Best Practices and the CIS AWS "
         "Foundations Benchmark v5.0.0 standards with their GuardDuty, Config, CloudTrail, Inspector and "
         "patching controls, or AWS Config does not record in its account and region.",
    explanation=(
        "Vulnerabilities and misconfigurations are found continuously: in the hub's account and region an "
        "AWS::SecurityHub::Standard enables each of "
        f"arn:aws:securityhub:<region>::standards/{FSBP} and arn:aws:securityhub:<region>::standards/{CIS_V5} "
        "(<region> the stack's own). EnableDefaultStandards enables only FSBP and CIS v1.2.0, so it never "
        "satisfies CIS v5.0.0. No standard disables (DisabledStandardsControls) any of "
        f"{', '.join(KEPT_CONTROLS)}, and an AWS::Config::ConfigurationRecorder exists in the same account and "
        "region: most Security Hub controls run as AWS Config rules and see nothing without a recorder."
    ),
    check=security_hub_standards,
)
