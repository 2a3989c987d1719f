from aws_cdk import aws_ec2 as ec2

from nag_rules import Status
from nag_rules.rules.vpc_default_security_group_closed import RULE
from tests.helpers import evaluations_of, new_stack, only

ISOLATED = [ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)]


def test_noncompliance_1_default_rules_kept():
    stack = new_stack()
    ec2.Vpc(stack, "Vpc", max_azs=1, subnet_configuration=ISOLATED, restrict_default_security_group=False)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED


def test_noncompliance_2_restriction_of_another_vpc_does_not_count():
    stack = new_stack()
    ec2.Vpc(stack, "Open", max_azs=1, subnet_configuration=ISOLATED, restrict_default_security_group=False)
    ec2.Vpc(stack, "Closed", max_azs=1, subnet_configuration=ISOLATED, restrict_default_security_group=True)
    statuses = {e.resource.path: e.status for e in evaluations_of(stack, RULE)}
    assert statuses == {"Test/Open/Resource": Status.VIOLATED, "Test/Closed/Resource": Status.COMPLIANT}


def test_compliance_1_restricted():
    stack = new_stack()
    ec2.Vpc(stack, "Vpc", max_azs=1, subnet_configuration=ISOLATED, restrict_default_security_group=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "removes every rule of the default security group" in evaluation.evidence
