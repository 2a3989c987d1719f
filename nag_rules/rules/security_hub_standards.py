from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import text
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved

FSBP = "aws-foundational-security-best-practices/v/1.0.0"
CIS_V5 = "cis-aws-foundations-benchmark/v/5.0.0"
REQUIRED = {FSBP: "AWS Foundational Security Best Practices v1.0.0", CIS_V5: "CIS AWS Foundations Benchmark v5.0.0"}
"""Standards every hub runs, by the part of their ARN after ``standards/`` (``DescribeStandards`` gives
``arn:<partition>:securityhub:<region>::standards/<this>``)."""


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
    if not missing:
        return compliant("; ".join(f"{REQUIRED[key]}: {found[key]}" for key in REQUIRED))
    evidence = (f"not enabled in {stack.environment}: {', '.join(missing)} (expected {prefix}"
                f"{' or '.join(k for k, n in REQUIRED.items() if n in missing)})")
    if others:
        evidence += "; other standards: " + ", ".join(others)
    if unknown:
        return unresolved(evidence + "; " + "; ".join(unknown))
    return non_compliant(evidence)


def _disabled(standard: Resource) -> str:
    controls = standard.prop("DisabledStandardsControls") or []
    arns = [show(c.get("StandardsControlArn")).rsplit("/", 1)[-1] for c in controls if isinstance(c, dict)]
    return f", controls disabled: {', '.join(arns)}" if arns else ""


RULE = Rule(
    name="SecurityHubStandards",
    clauses=("12.6.1", "CLD.12.4.5"),
    resource_types=("AWS::SecurityHub::Hub",),
    info="Security Hub does not run both the AWS Foundational Security Best Practices and the CIS AWS "
         "Foundations Benchmark v5.0.0 standards in its account and region.",
    explanation=(
        "Vulnerabilities and misconfigurations are found continuously: in the hub's account and region an "
        "AWS::SecurityHub::Standard enables each of "
        f"arn:aws:securityhub:<region>::standards/{FSBP} and arn:aws:securityhub:<region>::standards/{CIS_V5} "
        "(<region> the stack's own). EnableDefaultStandards enables only FSBP and CIS v1.2.0, so it never "
        "satisfies CIS v5.0.0."
    ),
    check=security_hub_standards,
)
