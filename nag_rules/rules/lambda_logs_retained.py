from nag_rules.assembly import Resource, contains_intrinsic, getatt, show
from nag_rules.cfn import HOLE, customer_managed_key, text, text_with_holes
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, unresolved
from nag_rules.rules.log_group_retention import log_group_retention

AUTOMATIC_PREFIX = "/aws/lambda/"
"""Lambda writes to ``/aws/lambda/<function name>`` unless LoggingConfig.LogGroup names another group."""


def lambda_logs_retained(resource: Resource) -> Check:
    configured = resource.prop("LoggingConfig", "LogGroup")
    if configured is not None:
        return _configured(resource, configured)
    name = text(resource.prop("FunctionName"), resource)
    automatic = f"{AUTOMATIC_PREFIX}{name if name is not None else '<generated name>'}"
    for group in _log_groups(resource):
        value = group.prop("LogGroupName")
        if (name is not None and text(value, group) == automatic) or (
                group.target(value) is resource and text_with_holes(value, group) == AUTOMATIC_PREFIX + HOLE):
            return _judge(group, f"writes to {automatic}, created by {group.path}")
    if name is None and contains_intrinsic(resource.prop("FunctionName")):
        return unresolved(f"FunctionName = {show(resource.prop('FunctionName'))}: the automatic log group's name "
                          "is known only at deploy time")
    return non_compliant(f"no LoggingConfig.LogGroup: writes to the automatic log group {automatic}, which "
                         "Lambda creates itself, neither encrypted with a customer managed key nor kept by this app")


def _configured(function: Resource, value: object) -> Check:
    group = function.target(value)
    if group is not None and group.type == "AWS::Logs::LogGroup":
        if getatt(value) is not None:
            return non_compliant(f"LoggingConfig.LogGroup = {show(value)}: an attribute of {group.path}; Lambda "
                                 "takes the log group's name (its Ref)")
        return _judge(group, f"LoggingConfig.LogGroup = {group.path}")
    name = text(value, function)
    if name is not None:
        for candidate in _log_groups(function):
            if text(candidate.prop("LogGroupName"), candidate) == name:
                return _judge(candidate, f"LoggingConfig.LogGroup = {name} ({candidate.path})")
    what = f"{group.type} {group.path}" if group is not None else "a log group outside this app"
    return unresolved(f"LoggingConfig.LogGroup = {show(value)}: {what}, whose retention and encryption cannot "
                      "be known")


def _log_groups(function: Resource) -> list[Resource]:
    here = (function.stack.account, function.stack.region)
    return [g for g in function.stack.assembly.of_type("AWS::Logs::LogGroup")
            if (g.stack.account, g.stack.region) == here]


def _judge(group: Resource, where: str) -> Check:
    if group.condition is not None:
        return unresolved(f"{where}, which exists only if Condition {group.condition} holds")
    retention = log_group_retention(group)
    key = group.prop("KmsKeyId")
    if key is None:
        encryption = non_compliant("KmsKeyId absent: not encrypted with a customer managed key")
    else:
        found = customer_managed_key(group, key, "KmsKeyId")
        encryption = found if isinstance(found, Check) else compliant(f"KmsKeyId = {found} (customer managed)")
    for outcome in (Outcome.NON_COMPLIANT, Outcome.UNRESOLVED):
        found = [c.evidence for c in (retention, encryption) if c.outcome is outcome]
        if found:
            return Check(outcome, f"{where}: " + "; ".join(found))
    return compliant(f"{where}: {retention.evidence}; {encryption.evidence}")


RULE = Rule(
    name="LambdaLogsRetained",
    clauses=("12.4.1", "10.1.1"),
    resource_types=("AWS::Lambda::Function",),
    info="The function writes its logs to a log group that is not kept 365 days and encrypted with a customer "
         "managed key.",
    explanation=(
        "A function's logs are kept 12 months and encrypted like every other log: LoggingConfig.LogGroup names "
        "a log group of this app (its Ref, in this or another stack, or its literal LogGroupName in the same "
        "account and region) kept at least 365 days (or forever) with a customer managed KmsKeyId. Without "
        f"LoggingConfig the function writes to {AUTOMATIC_PREFIX}<function name>, which Lambda creates without a "
        "customer managed key and outside the app's control unless the app defines that log group itself (LogGroupName "
        f"{AUTOMATIC_PREFIX} joined with the function's Ref or literal FunctionName). Give lambda.Function a "
        "log_group=RetainedLogGroup(...), or set LoggingConfig on the function's CfnFunction."
    ),
    check=lambda_logs_retained,
)
