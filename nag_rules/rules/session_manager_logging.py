from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import as_json, customer_managed_key, text
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, not_applicable, unresolved
from nag_rules.standards import DEFAULT_SESSION_DOCUMENT, MINIMUM_LOG_RETENTION_DAYS


def session_manager_logging(resource: Resource) -> Check:
    if resource.type != "AWS::SSM::Document":
        return _server_sessions(resource)
    return _document(resource)


def _server_sessions(server: Resource) -> Check:
    stack = server.stack
    documents = [d for d in _same_environment(server, "AWS::SSM::Document")
                 if d.prop("DocumentType") == "Session" and text(d.prop("Name"), d) == DEFAULT_SESSION_DOCUMENT]
    if not documents:
        return non_compliant(f"no {DEFAULT_SESSION_DOCUMENT} document in {stack.environment}: sessions on this "
                             "server follow account preferences this app does not set, unencrypted and unlogged")
    document = documents[0]
    check = _document(document)
    if check.outcome is Outcome.COMPLIANT:
        return compliant(f"sessions follow {document.path} ({DEFAULT_SESSION_DOCUMENT}): {check.evidence}")
    return Check(check.outcome, f"{document.path} ({DEFAULT_SESSION_DOCUMENT}): {check.evidence}")


def _same_environment(resource: Resource, resource_type: str) -> list[Resource]:
    """Resources of ``resource_type`` in the same account and region (a literal name means nothing elsewhere)."""
    stack = resource.stack
    return [r for r in stack.assembly.of_type(resource_type)
            if (r.stack.account, r.stack.region) == (stack.account, stack.region)]


def _document(resource: Resource) -> Check:
    if resource.prop("DocumentType") != "Session":
        return not_applicable("not a Session Manager preferences document")
    content = as_json(resource.prop("Content"))
    if not isinstance(content, dict):
        return unresolved(f"Content = {show(resource.prop('Content'))[:200]}")
    inputs = content.get("inputs") or {}
    key = inputs.get("kmsKeyId")
    if not key:
        return non_compliant("kmsKeyId is empty: session data is not encrypted with a customer managed key")
    found = customer_managed_key(resource, key, "kmsKeyId")
    if not isinstance(found, str):
        return found
    if inputs.get("cloudWatchEncryptionEnabled") not in (True, "true"):
        return non_compliant(f"cloudWatchEncryptionEnabled = {show(inputs.get('cloudWatchEncryptionEnabled'))}")
    group = _log_group(resource, inputs.get("cloudWatchLogGroupName"))
    if isinstance(group, Check):
        return group
    days = group.prop("RetentionInDays")
    if is_intrinsic(days):
        return unresolved(f"{group.path}: RetentionInDays = {show(days)}")
    if days is not None and (not isinstance(days, int) or days < MINIMUM_LOG_RETENTION_DAYS):
        return non_compliant(f"session logs go to {group.path}, kept {show(days)} days (< {MINIMUM_LOG_RETENTION_DAYS})")
    if group.prop("KmsKeyId") is None:
        return non_compliant(f"session logs go to {group.path}, which is not KMS-encrypted")
    kept = "never expire" if days is None else f"kept {days} days"
    return compliant(f"sessions encrypted with {found}; logged to {group.path} ({kept}, KMS-encrypted)")


def _log_group(resource: Resource, name: object) -> Resource | Check:
    if not name:
        return non_compliant("cloudWatchLogGroupName is empty: sessions are not logged")
    target = resource.target(name)
    if target is not None and target.type == "AWS::Logs::LogGroup":
        return target
    literal = text(name, resource)
    for group in _same_environment(resource, "AWS::Logs::LogGroup"):
        if literal is not None and text(group.prop("LogGroupName"), group) == literal:
            return group
    return unresolved(f"cloudWatchLogGroupName = {show(name)} is not a log group of this app in "
                      f"{resource.stack.environment}")


RULE = Rule(
    name="SessionManagerLogging",
    clauses=("9.4.4", "12.4.1"),
    resource_types=("AWS::SSM::Document", "AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::Instance"),
    info="Session Manager sessions are not encrypted with a customer key or not logged for 365 days.",
    explanation=(
        "Privileged sessions are reviewed afterwards through logs: the Session Manager preferences "
        "encrypt session data with a customer managed key and stream every session to a KMS-encrypted "
        "log group kept at least 365 days (SessionManagerLogging construct). Servers are covered only if "
        f"their account and region have those preferences in the {DEFAULT_SESSION_DOCUMENT} document, "
        "which every session uses unless it names another."
    ),
    check=session_manager_logging,
)
