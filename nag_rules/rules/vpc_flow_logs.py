from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, unresolved
from nag_rules.standards import MINIMUM_LOG_RETENTION_DAYS

KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")


def vpc_flow_logs(resource: Resource) -> Check:
    flow_logs = [f for f in resource.stack.assembly.of_type("AWS::EC2::FlowLog")
                 if f.prop("ResourceType") == "VPC" and f.target(f.prop("ResourceId")) is resource]
    if not flow_logs:
        return non_compliant("no AWS::EC2::FlowLog records this VPC's traffic")
    checks = [_flow_log(f) for f in flow_logs]
    for outcome in (Outcome.NON_COMPLIANT, Outcome.UNRESOLVED):
        found = [c.evidence for c in checks if c.outcome is outcome]
        if found:
            return Check(outcome, "; ".join(found))
    return compliant("; ".join(c.evidence for c in checks))


def _flow_log(flow_log: Resource) -> Check:
    """Whether ``flow_log`` records ALL traffic to a destination that keeps it encrypted for a year."""
    traffic = flow_log.prop("TrafficType")
    if is_intrinsic(traffic):
        return unresolved(f"{flow_log.path}: TrafficType = {show(traffic)}")
    if traffic != "ALL":
        return non_compliant(f"{flow_log.path} records only {show(traffic)} traffic, not ALL")
    kind = flow_log.prop("LogDestinationType", default="cloud-watch-logs")
    if kind == "cloud-watch-logs":
        value = flow_log.prop("LogGroupName", default=flow_log.prop("LogDestination"))
        check = _log_group
    elif kind == "s3":
        value = flow_log.prop("LogDestination")
        check = _bucket
    else:
        return unresolved(f"{flow_log.path}: LogDestinationType = {show(kind)}; only log group and S3 "
                          "destinations can be checked here")
    destination = flow_log.target(value)
    expected = "AWS::Logs::LogGroup" if check is _log_group else "AWS::S3::Bucket"
    if destination is None or destination.type != expected:
        return unresolved(f"{flow_log.path} writes to {show(value)}, outside this app: its encryption and "
                          "retention cannot be known")
    outcome, evidence = check(destination)
    return Check(outcome, f"{flow_log.path} records ALL traffic to {destination.path}: {evidence}")


def _log_group(group: Resource) -> tuple[Outcome, str]:
    key = group.prop("KmsKeyId")
    if key is None:
        return Outcome.NON_COMPLIANT, "no KmsKeyId: the flow log is not encrypted with a KMS key"
    target = group.target(key)
    encrypted = f"KmsKeyId = {target.path if target is not None else show(key)}"
    days = group.prop("RetentionInDays")
    if days is None:
        return Outcome.COMPLIANT, f"{encrypted}, RetentionInDays absent (kept forever)"
    if is_intrinsic(days):
        return Outcome.UNRESOLVED, f"{encrypted}, RetentionInDays = {show(days)}"
    if str(days).isdigit() and int(days) >= MINIMUM_LOG_RETENTION_DAYS:
        return Outcome.COMPLIANT, f"{encrypted}, RetentionInDays = {days}"
    return Outcome.NON_COMPLIANT, f"RetentionInDays = {show(days)} (< {MINIMUM_LOG_RETENTION_DAYS})"


def _bucket(bucket: Resource) -> tuple[Outcome, str]:
    rules = bucket.prop("BucketEncryption", "ServerSideEncryptionConfiguration", default=[])
    defaults = [r.get("ServerSideEncryptionByDefault") for r in (rules if isinstance(rules, list) else [])
                if isinstance(r, dict)]
    algorithms = [d.get("SSEAlgorithm") for d in defaults if isinstance(d, dict)]
    if any(is_intrinsic(a) for a in algorithms) or is_intrinsic(rules):
        return Outcome.UNRESOLVED, f"BucketEncryption = {show(bucket.prop('BucketEncryption'))}"
    if not any(a in (*KMS_ALGORITHMS, "AES256") for a in algorithms):
        return Outcome.NON_COMPLIANT, "no BucketEncryption SSEAlgorithm: declare SSE-KMS (aws:kms)"
    encrypted = next((f"SSEAlgorithm = {a}" for a in algorithms if a in KMS_ALGORITHMS), "SSEAlgorithm = AES256")
    lifecycle = bucket.prop("LifecycleConfiguration", "Rules", default=[])
    if not isinstance(lifecycle, list):
        return Outcome.UNRESOLVED, f"{encrypted}; LifecycleConfiguration.Rules = {show(lifecycle)}"
    for index, rule in enumerate(r for r in lifecycle if isinstance(r, dict)):
        status, days = rule.get("Status"), rule.get("ExpirationInDays")
        if is_intrinsic(status) or is_intrinsic(days):
            return Outcome.UNRESOLVED, f"{encrypted}; lifecycle rule {index}: {show(rule)}"
        if status != "Enabled":
            continue
        if "ExpirationDate" in rule:
            return Outcome.NON_COMPLIANT, (f"lifecycle rule {index} expires objects on {show(rule['ExpirationDate'])}, "
                                           "whatever their age")
        if days is not None and (not str(days).isdigit() or int(days) < MINIMUM_LOG_RETENTION_DAYS):
            return Outcome.NON_COMPLIANT, (f"lifecycle rule {index} expires objects after ExpirationInDays = "
                                           f"{show(days)} (< {MINIMUM_LOG_RETENTION_DAYS})")
    return Outcome.COMPLIANT, f"{encrypted}, no lifecycle expiration under {MINIMUM_LOG_RETENTION_DAYS} days"


RULE = Rule(
    name="VpcFlowLogs",
    clauses=("13.1.3", "12.4.1"),
    resource_types=("AWS::EC2::VPC",),
    info="The VPC has no flow log of ALL traffic to an encrypted destination kept 365 days.",
    explanation=(
        "Separated networks are only provable if their traffic is recorded: every VPC needs a flow "
        "log of ALL traffic (accepted and rejected), and every flow log of the VPC writes to a log group "
        "encrypted with a KMS key (KmsKeyId) and kept at least 365 days, or to an S3 bucket with declared "
        "encryption (SSE-KMS preferred) and no lifecycle expiration under 365 days. The HardenedVpc "
        "construct adds one."
    ),
    check=vpc_flow_logs,
    security_hub=("EC2.6",),
)
