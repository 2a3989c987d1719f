from aws_cdk import aws_ec2 as ec2

from nag_rules import Status
from nag_rules.rules.vpc_time_sync import RULE
from tests.helpers import evaluations_of, new_stack, only


def _vpc(stack):
    return ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0,
                   subnet_configuration=[ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])


def _options(stack, vpc, servers):
    options = ec2.CfnDHCPOptions(stack, "Dhcp", domain_name_servers=["AmazonProvidedDNS"], ntp_servers=servers)
    ec2.CfnVPCDHCPOptionsAssociation(stack, "Association", vpc_id=vpc.vpc_id, dhcp_options_id=options.ref)


def test_noncompliance_1_no_dhcp_options():
    stack = new_stack()
    _vpc(stack)
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_2_other_ntp_servers():
    stack = new_stack()
    _options(stack, _vpc(stack), ["10.0.0.10"])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "lacks 169.254.169.123" in evaluation.evidence


def test_noncompliance_3_ipv6_vpc_needs_the_ipv6_endpoint_too():
    stack = new_stack()
    vpc = _vpc(stack)
    ec2.CfnVPCCidrBlock(stack, "Ipv6", vpc_id=vpc.vpc_id, amazon_provided_ipv6_cidr_block=True)
    _options(stack, vpc, ["169.254.169.123"])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "lacks fd00:ec2::123" in evaluation.evidence


def test_compliance_1_amazon_time_sync():
    stack = new_stack()
    _options(stack, _vpc(stack), ["169.254.169.123"])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "NtpServers = [\"169.254.169.123\"]" in evaluation.evidence


def test_compliance_2_ipv6_with_both_endpoints():
    stack = new_stack()
    vpc = _vpc(stack)
    ec2.CfnVPCCidrBlock(stack, "Ipv6", vpc_id=vpc.vpc_id, amazon_provided_ipv6_cidr_block=True)
    _options(stack, vpc, ["169.254.169.123", "fd00:ec2::123"])
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT
