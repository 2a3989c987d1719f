import re

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import text
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, unresolved

SERVICE_LINKED_ROLE = "role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
ROLE_ARN = re.compile(r"arn:(?P<partition>aws|aws-cn|aws-us-gov):iam::(?P<account>\d{12}):"
                      + re.escape(SERVICE_LINKED_ROLE))


def config_recorder_enabled(resource: Resource) -> Check:
    checks = [_recording_group(resource), _role(resource), _delivery_channel(resource)]
    for outcome in (Outcome.NON_COMPLIANT, Outcome.UNRESOLVED):
        found = [c.evidence for c in checks if c.outcome is outcome]
        if found:
            return Check(outcome, "; ".join(found))
    return compliant("; ".join(c.evidence for c in checks))


def _recording_group(recorder: Resource) -> Check:
    group = recorder.prop("RecordingGroup")
    if group is None:
        return non_compliant("RecordingGroup absent: AWS Config records regional resources only, not IAM users, "
                             "groups, roles and policies")
    if is_intrinsic(group) or not isinstance(group, dict):
        return unresolved(f"RecordingGroup = {show(group)}")
    raw = group.get("RecordingStrategy")
    strategy = raw.get("UseOnly") if isinstance(raw, dict) and not is_intrinsic(raw) else raw
    values = {"AllSupported": group.get("AllSupported"), "IncludeGlobalResourceTypes":
              group.get("IncludeGlobalResourceTypes"), "RecordingStrategy.UseOnly": strategy}
    unknown = [f"{name} = {show(value)}" for name, value in values.items() if is_intrinsic(value)]
    if unknown:
        return unresolved("; ".join(unknown))
    missing = [f"{name} = {'(absent: false)' if values[name] is None else show(values[name])}"
               for name in ("AllSupported", "IncludeGlobalResourceTypes") if values[name] not in (True, "true")]
    if strategy not in (None, "ALL_SUPPORTED_RESOURCE_TYPES"):
        missing.append(f"RecordingStrategy.UseOnly = {strategy}")
    if missing:
        return non_compliant(f"RecordingGroup {', '.join(missing)}: not every supported resource type, global IAM "
                             "types included, is recorded")
    return compliant("RecordingGroup AllSupported = true, IncludeGlobalResourceTypes = true")


def _role(recorder: Resource) -> Check:
    value = recorder.prop("RoleARN")
    stack = recorder.stack
    arn = text(value, recorder)
    if arn is None:
        target = recorder.target(value)
        if target is not None:
            return non_compliant(f"RoleARN names {target.type} {target.path}, not AWS Config's service-linked role "
                                 "(Security Hub Config.1 fails)")
        return unresolved(f"RoleARN = {show(value)}")
    found = ROLE_ARN.fullmatch(arn)
    partition = {"cn": "aws-cn", "us-gov": "aws-us-gov"}.get(stack.region.rsplit("-", 2)[0], "aws") \
        if stack.region else None
    if found is None or found["partition"] != (partition or found["partition"]) \
            or found["account"] != (stack.account or found["account"]):
        return non_compliant(f"RoleARN = {arn}, not arn:{partition or '<partition>'}:iam::"
                             f"{stack.account or '<account>'}:{SERVICE_LINKED_ROLE}: AWS Config's service-linked "
                             "role of this account is required (Security Hub Config.1 fails)")
    if stack.account is None:
        return unresolved(f"RoleARN = {arn}: the stack's account is known only at deploy time")
    return compliant(f"RoleARN = {arn} (service-linked)")


def _delivery_channel(recorder: Resource) -> Check:
    """CloudFormation starts the recorder once a delivery channel exists; the recorder itself has no on/off."""
    here = (recorder.stack.account, recorder.stack.region)
    channels = [c for c in recorder.stack.assembly.of_type("AWS::Config::DeliveryChannel")
                if (c.stack.account, c.stack.region) == here]
    if not channels:
        return non_compliant(f"no AWS::Config::DeliveryChannel in {recorder.stack.environment}: the recorder "
                             "never starts")
    unknown = []
    for channel in channels:
        if channel.condition is not None:
            unknown.append(f"{channel.path} exists only if Condition {channel.condition} holds")
            continue
        bucket = _bucket(channel)
        if isinstance(bucket, Resource):
            return compliant(f"started by delivery channel {channel.path}, delivering to {bucket.path}")
        unknown.append(bucket)
    return unresolved("; ".join(unknown))


def _bucket(channel: Resource) -> Resource | str:
    value = channel.prop("S3BucketName")
    bucket = channel.target(value)
    if bucket is not None and bucket.type == "AWS::S3::Bucket":
        return bucket
    name = text(value, channel)
    if name is not None:
        for candidate in channel.stack.assembly.of_type("AWS::S3::Bucket"):
            if text(candidate.prop("BucketName"), candidate) == name:
                return candidate
    return (f"{channel.path}: S3BucketName = {show(value)}, a bucket outside this app: whether it keeps the "
            "records cannot be known")


RULE = Rule(
    name="ConfigRecorderEnabled",
    clauses=("CLD.12.4.5", "12.6.1"),
    resource_types=("AWS::Config::ConfigurationRecorder",),
    info="The AWS Config recorder does not record every resource type through AWS Config's service-linked "
         "role, or no delivery channel to a bucket of this app starts it.",
    explanation=(
        "Resources are monitored and misconfigurations found (the Security Hub controls are AWS Config rules): "
        "the recorder's RecordingGroup sets AllSupported and IncludeGlobalResourceTypes to true (any "
        "RecordingStrategy is ALL_SUPPORTED_RESOURCE_TYPES), its RoleARN is "
        f"arn:<partition>:iam::<account>:{SERVICE_LINKED_ROLE} (Security Hub Config.1 requires the "
        "service-linked role), and an AWS::Config::DeliveryChannel in the same account and region delivers to a "
        "bucket of this app. The recorder has no on/off property: CloudFormation starts it as soon as the "
        "delivery channel is available. Use the SecurityPosture construct."
    ),
    check=config_recorder_enabled,
    security_hub=("Config.1",),
)
