import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2

from nag_rules import Status
from nag_rules.rules.vpc_default_security_group_closed import RULE
from tests.helpers import TOKYO, evaluations_of, new_app, new_stack, only

ISOLATED = [ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)]


def _closed(stack, construct_id="Vpc"):
    return ec2.Vpc(stack, construct_id, max_azs=1, subnet_configuration=ISOLATED, restrict_default_security_group=True)


def test_noncompliance_1_default_rules_kept():
    stack = new_stack()
    ec2.Vpc(stack, "Vpc", max_azs=1, subnet_configuration=ISOLATED, restrict_default_security_group=False)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED


def test_noncompliance_2_restriction_of_another_vpc_does_not_count():
    stack = new_stack()
    ec2.Vpc(stack, "Open", max_azs=1, subnet_configuration=ISOLATED, restrict_default_security_group=False)
    _closed(stack, "Closed")
    statuses = {e.resource.path: e.status for e in evaluations_of(stack, RULE)}
    assert statuses == {"Test/Open/Resource": Status.VIOLATED, "Test/Closed/Resource": Status.COMPLIANT}


def test_noncompliance_3_standalone_ingress_reopens_the_restricted_group():
    stack = new_stack()
    vpc = _closed(stack)
    ec2.CfnSecurityGroupIngress(stack, "Reopen", group_id=vpc.vpc_default_security_group, ip_protocol="tcp",
                                from_port=443, to_port=443, cidr_ip="10.0.0.0/16")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("Test/Reopen add rules to the default security group")


def test_noncompliance_4_standalone_egress_from_another_stack():
    app = new_app()
    network = cdk.Stack(app, "Network", env=TOKYO)
    vpc = _closed(network)
    servers = cdk.Stack(app, "Servers", env=TOKYO)
    ec2.CfnSecurityGroupEgress(servers, "Out", group_id=vpc.vpc_default_security_group, ip_protocol="-1",
                               cidr_ip="0.0.0.0/0")
    evaluation = only(evaluations_of(app, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("Servers/Out add rules to the default security group")


def test_compliance_1_restricted():
    stack = new_stack()
    _closed(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "removes every rule of the default security group" in evaluation.evidence


def test_compliance_2_standalone_rules_on_other_groups_do_not_count():
    stack = new_stack()
    vpc = _closed(stack)
    servers = ec2.SecurityGroup(stack, "Servers", vpc=vpc, allow_all_outbound=False)
    ec2.CfnSecurityGroupIngress(stack, "Https", group_id=servers.security_group_id, ip_protocol="tcp",
                                from_port=443, to_port=443, source_security_group_id=vpc.vpc_default_security_group)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
