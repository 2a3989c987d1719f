import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_rds as rds

from nag_rules import Status
from nag_rules.rules.data_subnet_acl import RULE
from tests.helpers import evaluations_of, new_stack, only


def _setup(stack, acl_entry=None):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    data = ec2.SubnetSelection(subnet_group_name="Data")
    rds.SubnetGroup(stack, "Subnets", vpc=vpc, vpc_subnets=data, description="data",
                    removal_policy=cdk.RemovalPolicy.RETAIN)
    if acl_entry is not None:
        acl = ec2.NetworkAcl(stack, "Acl", vpc=vpc, subnet_selection=data)
        acl.add_entry("In", rule_number=100, direction=ec2.TrafficDirection.INGRESS, **acl_entry)


def test_noncompliance_1_default_network_acl():
    stack = new_stack()
    _setup(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "default network ACL" in evaluation.evidence


def test_noncompliance_2_acl_allowing_everyone():
    stack = new_stack()
    _setup(stack, {"cidr": ec2.AclCidr.any_ipv4(), "traffic": ec2.AclTraffic.all_traffic()})
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_compliance_1_acl_allowing_one_range_on_the_database_port():
    stack = new_stack()
    _setup(stack, {"cidr": ec2.AclCidr.ipv4("10.0.4.0/22"), "traffic": ec2.AclTraffic.tcp_port(5432)})
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "allows in only 10.0.4.0/22" in evaluation.evidence
