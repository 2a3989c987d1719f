from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import admits_everyone, aws_principals, people_trust
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved
from nag_rules.standards import MAX_OPERATOR_SESSION_SECONDS


def human_role_trust(resource: Resource) -> Check:
    trusting = people_trust(resource)
    if isinstance(trusting, Check):
        return trusting
    principals = [aws_principals(s.get("Principal")) for s in trusting]
    if any(admits_everyone(p) for p in principals):
        return non_compliant("Principal is '*': any AWS account may try to assume it")
    duration = resource.prop("MaxSessionDuration", default=3600)
    if is_intrinsic(duration):
        return unresolved(f"MaxSessionDuration = {show(duration)}")
    if not isinstance(duration, int) or duration > MAX_OPERATOR_SESSION_SECONDS:
        return non_compliant(f"MaxSessionDuration = {show(duration)} seconds (> {MAX_OPERATOR_SESSION_SECONDS})")
    return compliant(f"assumable by {show(principals)}; MaxSessionDuration = {duration} s")


RULE = Rule(
    name="HumanRoleTrust",
    clauses=("9.4.4", "9.2.3"),
    resource_types=("AWS::IAM::Role",),
    info="A role that people can assume trusts everyone, uses NotPrincipal, or allows sessions longer than one hour.",
    explanation=(
        "Privileged access is limited to few, named people and short sessions: a role trusted by IAM "
        "principals names them (no '*', no NotPrincipal) and grants at most one-hour sessions (OperatorRole)."
    ),
    check=human_role_trust,
)
