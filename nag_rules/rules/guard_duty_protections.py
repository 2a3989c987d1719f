from nag_rules.assembly import Resource, contains_intrinsic, is_intrinsic, show
from nag_rules.cfn import tags, text
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved
from nag_rules.standards import DATA_CLASSIFICATION_TAG

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
    plans, unprotected, unplanned = _malware_protection_plans(resource)
    problems = []
    if missing:
        note = (" (declare each feature with Status ENABLED: GuardDuty's defaults apply only when a detector "
                "is created)") if any(m.endswith("(absent)") for m in missing) else ""
        problems.append("not enabled: " + ", ".join(missing) + note)
    if unprotected:
        problems.append("customer data buckets without an S3 malware protection plan "
                        f"(AWS::GuardDuty::MalwareProtectionPlan): {', '.join(unprotected)}")
    if problems:
        return non_compliant("; ".join(problems))
    if unknown or unplanned:
        return unresolved("; ".join(unknown + unplanned))
    evidence = [f"{show(name)} {show(status)}" for name, status in statuses.items()]
    for name, legacy in REQUIRED_FEATURES.items():
        if name not in statuses:
            evidence.append(f"{name} ENABLED by {'.'.join(legacy)} = true")
    return compliant("Enable = true; features: " + ", ".join(evidence) + "; " + plans)


def _malware_protection_plans(detector: Resource) -> tuple[str, list[str], list[str]]:
    """Which customer-classified buckets of the detector's account and region a MalwareProtectionPlan
    scans: (evidence of the protected ones, buckets without a plan, what cannot be known)."""
    assembly, stack = detector.stack.assembly, detector.stack
    here = (stack.account, stack.region)
    plans = [p for p in assembly.of_type("AWS::GuardDuty::MalwareProtectionPlan")
             if (p.stack.account, p.stack.region) == here]
    protected, unprotected, unknown = [], [], []
    for bucket in assembly.of_type("AWS::S3::Bucket"):
        if (bucket.stack.account, bucket.stack.region) != here:
            continue
        data_class = tags(bucket).get(DATA_CLASSIFICATION_TAG)
        if contains_intrinsic(data_class):
            unknown.append(f"{bucket.path}: {DATA_CLASSIFICATION_TAG} = {show(data_class)}")
            continue
        if data_class != "customer":
            continue
        name = text(bucket.prop("BucketName"), bucket)
        covering, later = [], []
        for plan in plans:
            value = plan.prop("ProtectedResource", "S3Bucket", "BucketName")
            named = plan.target(value) is bucket or (name is not None and text(value, plan) == name)
            if named and plan.condition is None:
                prefixes = plan.prop("ProtectedResource", "S3Bucket", "ObjectPrefixes")
                covering.append(plan.path + (f" (only objects under {show(prefixes)})" if prefixes else ""))
            elif named:
                later.append(f"{plan.path} exists only if Condition {plan.condition} holds")
            elif plan.target(value) is None and text(value, plan) is None:
                later.append(f"{plan.path}: BucketName = {show(value)}")
        if covering:
            protected.append(f"{bucket.path} by {', '.join(covering)}")
        elif later:
            unknown.append(f"{bucket.path}: " + "; ".join(later))
        else:
            unprotected.append(bucket.path)
    if not protected and not unprotected:
        return f"no customer data bucket in {stack.environment} needs an S3 malware protection plan", [], unknown
    return "S3 malware protection: " + "; ".join(protected), unprotected, unknown


RULE = Rule(
    name="GuardDutyProtections",
    clauses=("CLD.12.4.5",),
    resource_types=("AWS::GuardDuty::Detector",),
    info="The GuardDuty detector is not enabled with S3 Protection and Malware Protection for EC2, or a "
         "customer data bucket has no S3 malware protection plan.",
    explanation=(
        "Attacks on servers and data are watched by GuardDuty: the detector is enabled (Enable = true) with "
        "the S3_DATA_EVENTS (S3 Protection) and EBS_MALWARE_PROTECTION (Malware Protection for EC2) features "
        "declared ENABLED in Features (or the legacy DataSources S3Logs.Enable and "
        "MalwareProtection.ScanEc2InstanceWithFindings.EbsVolumes). Uploaded files are scanned by Malware "
        "Protection for S3: every bucket tagged DataClassification = customer in the detector's account and "
        "region is the ProtectedResource.S3Bucket.BucketName of an AWS::GuardDuty::MalwareProtectionPlan "
        "(by reference or literal name)."
    ),
    check=guard_duty_protections,
    security_hub=("GuardDuty.1",),
)
