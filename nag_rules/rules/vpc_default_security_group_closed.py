from nag_rules.assembly import Resource
from nag_rules.cfn import is_getatt_of
from nag_rules.engine import Check, Rule, compliant, non_compliant


def vpc_default_security_group_closed(resource: Resource) -> Check:
    for restriction in resource.stack.assembly.of_type("Custom::VpcRestrictDefaultSG"):
        if is_getatt_of(restriction.prop("DefaultSecurityGroupId"), resource, "DefaultSecurityGroup"):
            return compliant(f"{restriction.path} removes every rule of the default security group at deploy time")
    return non_compliant("the default security group keeps its default rules (all traffic between its members, "
                         "all outbound)")


RULE = Rule(
    name="VpcDefaultSecurityGroupClosed",
    clauses=("13.1.3",),
    resource_types=("AWS::EC2::VPC",),
    info="The VPC's default security group still has rules.",
    explanation=(
        "Anything launched without an explicit security group lands in the default one, which by "
        "default lets its members reach each other and anything outside. Set "
        "restrict_default_security_group=True (HardenedVpc does) so it has no rules."
    ),
    check=vpc_default_security_group_closed,
    security_hub=("EC2.2",),
)
