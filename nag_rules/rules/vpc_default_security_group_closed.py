from typing import Any

from nag_rules.assembly import Resource, getatt
from nag_rules.cfn import is_getatt_of
from nag_rules.engine import Check, Rule, compliant, non_compliant


def vpc_default_security_group_closed(resource: Resource) -> Check:
    assembly = resource.stack.assembly
    reopening = [r.path for r in assembly.of_type("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress")
                 if _is_default_group(r, r.prop("GroupId"), resource)]
    if reopening:
        return non_compliant(f"{', '.join(reopening)} add rules to the default security group (GroupId = "
                             f"{resource.logical_id}.DefaultSecurityGroup), re-opening it")
    for restriction in assembly.of_type("Custom::VpcRestrictDefaultSG"):
        if is_getatt_of(restriction.prop("DefaultSecurityGroupId"), resource, "DefaultSecurityGroup"):
            return compliant(f"{restriction.path} removes every rule of the default security group at deploy time, "
                             "and no AWS::EC2::SecurityGroupIngress or SecurityGroupEgress adds one back")
    return non_compliant("the default security group keeps its default rules (all traffic between its members, "
                         "all outbound)")


def _is_default_group(owner: Resource, value: Any, vpc: Resource) -> bool:
    """``value`` is ``Fn::GetAtt [<vpc>, DefaultSecurityGroup]``, written here or exported by another stack."""
    if owner.target(value) is not vpc:
        return False
    produced = owner.stack.assembly.output(value) if isinstance(value, dict) else None
    return getatt(produced[1] if produced else value) == (vpc.logical_id, "DefaultSecurityGroup")


RULE = Rule(
    name="VpcDefaultSecurityGroupClosed",
    clauses=("13.1.3",),
    resource_types=("AWS::EC2::VPC",),
    info="The VPC's default security group still has rules.",
    explanation=(
        "Anything launched without an explicit security group lands in the default one, which by "
        "default lets its members reach each other and anything outside. Set "
        "restrict_default_security_group=True (HardenedVpc does) so it has no rules, and add none back "
        "with a standalone SecurityGroupIngress or SecurityGroupEgress on vpc.vpc_default_security_group."
    ),
    check=vpc_default_security_group_closed,
    security_hub=("EC2.2",),
)
