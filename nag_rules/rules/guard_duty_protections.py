from nag_rules.assembly import Resource, contains_intrinsic, is_intrinsic, show
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved

REQUIRED_FEATURES = {
    "S3_DATA_EVENTS": ("DataSources", "S3Logs", "Enable"),
    "EBS_MALWARE_PROTECTION": ("DataSources", "MalwareProtection", "ScanEc2InstanceWithFindings", "EbsVolumes"),
}
"""Protection plans every detector turns on, with the legacy DataSources property that also does."""


def guard_duty_protections(resource: Resource) -> Check:
    enable = resource.prop("Enable")
    if is_intrinsic(enable):
        return unresolved(f"Enable = {show(enable)}")
    if enable not in (True, "true"):
        return non_compliant(f"Enable = {'(absent)' if enable is None else show(enable)}: the detector "
                             "is suspended and finds nothing")
    features = resource.prop("Features", default=[])
    if is_intrinsic(features) or not isinstance(features, list):
        return unresolved(f"Features = {show(features)[:200]}")
    statuses = {f.get("Name"): f.get("Status") for f in features if isinstance(f, dict)}
    named_later = [show(f) for f in features if not isinstance(f, dict) or contains_intrinsic(f.get("Name"))]
    missing, unknown = [], []
    for name, legacy in REQUIRED_FEATURES.items():
        if name in statuses:
            status, where = statuses[name], f"Features {name}"
            on = status == "ENABLED"
        else:
            status, where = resource.prop(*legacy), ".".join(legacy)
            on = status in (True, "true")
        if is_intrinsic(status):
            unknown.append(f"{where} = {show(status)}")
        elif not on and status is None and named_later:
            unknown.append(f"{name} not found; Features also holds {', '.join(named_later)}")
        elif not on:
            missing.append(f"{where} = {'(absent)' if status is None else show(status)}")
    if missing:
        note = (" (declare each feature with Status ENABLED: GuardDuty's defaults apply only when a detector "
                "is created)") if any(m.endswith("(absent)") for m in missing) else ""
        return non_compliant("not enabled: " + ", ".join(missing) + note)
    if unknown:
        return unresolved(", ".join(unknown))
    evidence = [f"{show(name)} {show(status)}" for name, status in statuses.items()]
    for name, legacy in REQUIRED_FEATURES.items():
        if name not in statuses:
            evidence.append(f"{name} ENABLED by {'.'.join(legacy)} = true")
    return compliant("Enable = true; features: " + ", ".join(evidence))


RULE = Rule(
    name="GuardDutyProtections",
    clauses=("CLD.12.4.5",),
    resource_types=("AWS::GuardDuty::Detector",),
    info="The GuardDuty detector is not enabled with S3 Protection and Malware Protection for EC2.",
    explanation=(
        "Attacks on servers and data are watched by GuardDuty: the detector is enabled (Enable = true) with "
        "the S3_DATA_EVENTS (S3 Protection) and EBS_MALWARE_PROTECTION (Malware Protection for EC2) features "
        "declared ENABLED in Features (or the legacy DataSources S3Logs.Enable and "
        "MalwareProtection.ScanEc2InstanceWithFindings.EbsVolumes)."
    ),
    check=guard_duty_protections,
    security_hub=("GuardDuty.1",),
)
