import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_rds as rds

from nag_rules import Status
from nag_rules.rules.data_subnet_acl import RULE
from tests.helpers import evaluations_of, new_stack, only

DATA = ec2.SubnetSelection(subnet_group_name="Data")


def _service_vpc(stack, zones=1):
    """Public, application (through a NAT gateway) and isolated data tiers, as ServiceVpc lays them out."""
    return ec2.Vpc(stack, "Vpc", max_azs=zones, nat_gateways=1, subnet_configuration=[
        ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24),
        ec2.SubnetConfiguration(name="Application", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=22),
        ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24)])


def _application_cidr(vpc, index=0):
    return vpc.select_subnets(subnet_group_name="Application").subnets[index].ipv4_cidr_block


def _database(stack, vpc):
    return rds.DatabaseCluster(stack, "Records", vpc=vpc, vpc_subnets=DATA,
                               engine=rds.DatabaseClusterEngine.aurora_postgres(
                                   version=rds.AuroraPostgresEngineVersion.VER_16_6),
                               writer=rds.ClusterInstance.serverless_v2("Writer"),
                               removal_policy=cdk.RemovalPolicy.RETAIN)


def _acl(stack, vpc, cidr, traffic):
    acl = ec2.NetworkAcl(stack, "DataAcl", vpc=vpc, subnet_selection=DATA)
    acl.add_entry("In", rule_number=100, direction=ec2.TrafficDirection.INGRESS, cidr=cidr, traffic=traffic)
    return acl


def test_noncompliance_1_default_network_acl():
    stack = new_stack()
    _database(stack, _service_vpc(stack))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.resource.path == "Test/Vpc/DataSubnet1/Subnet"
    assert "default network ACL" in evaluation.evidence


def test_noncompliance_2_half_the_internet_as_source():
    stack = new_stack()
    vpc = _service_vpc(stack)
    _database(stack, vpc)
    _acl(stack, vpc, ec2.AclCidr.ipv4("0.0.0.0/1"), ec2.AclTraffic.tcp_port(5432))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "allows 0.0.0.0/1, which is not within the application subnets (10.0.4.0/22" in evaluation.evidence


def test_noncompliance_3_application_source_on_another_port():
    stack = new_stack()
    vpc = _service_vpc(stack)
    _database(stack, vpc)
    _acl(stack, vpc, ec2.AclCidr.ipv4(_application_cidr(vpc)), ec2.AclTraffic.tcp_port(3306))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "allows tcp/3306 from 10.0.4.0/22, but the databases here listen on 5432" in evaluation.evidence


def test_noncompliance_4_port_range():
    stack = new_stack()
    vpc = _service_vpc(stack)
    _database(stack, vpc)
    _acl(stack, vpc, ec2.AclCidr.ipv4(_application_cidr(vpc)), ec2.AclTraffic.tcp_port_range(1024, 65535))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "TCP port range 1024-65535" in evaluation.evidence


def test_noncompliance_5_all_traffic_from_the_application_subnet():
    stack = new_stack()
    vpc = _service_vpc(stack)
    _database(stack, vpc)
    _acl(stack, vpc, ec2.AclCidr.ipv4(_application_cidr(vpc)), ec2.AclTraffic.all_traffic())
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "allows all traffic from 10.0.4.0/22" in evaluation.evidence


def test_noncompliance_6_subnets_of_a_database_subnet_group_in_any_vpc():
    stack = new_stack()
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    rds.SubnetGroup(stack, "Subnets", vpc=vpc, vpc_subnets=DATA, description="data",
                    removal_policy=cdk.RemovalPolicy.RETAIN)
    evaluations = evaluations_of(stack, RULE)
    assert [e.status for e in evaluations] == [Status.VIOLATED, Status.VIOLATED]
    assert "named by Test/Subnets/Default" in evaluations[0].evidence


def test_noncompliance_7_source_known_only_at_deploy_time_is_unresolved():
    stack = new_stack()
    vpc = _service_vpc(stack)
    peer = cdk.CfnParameter(stack, "Peer").value_as_string
    _acl(stack, vpc, ec2.AclCidr.ipv4(peer), ec2.AclTraffic.tcp_port(5432))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert 'source CidrBlock = {"Ref":"Peer"}' in evaluation.evidence


def test_compliance_1_application_subnets_on_the_database_port():
    stack = new_stack()
    vpc = _service_vpc(stack, zones=2)
    _database(stack, vpc)
    acl = ec2.NetworkAcl(stack, "DataAcl", vpc=vpc, subnet_selection=DATA)
    for index in range(2):
        cidr = ec2.AclCidr.ipv4(_application_cidr(vpc, index))
        acl.add_entry(f"In{index}", rule_number=100 + index, direction=ec2.TrafficDirection.INGRESS, cidr=cidr,
                      traffic=ec2.AclTraffic.tcp_port(5432))
        acl.add_entry(f"Out{index}", rule_number=100 + index, direction=ec2.TrafficDirection.EGRESS, cidr=cidr,
                      traffic=ec2.AclTraffic.tcp_port_range(1024, 65535))
    evaluations = evaluations_of(stack, RULE)
    assert {e.resource.path: e.status for e in evaluations} == {
        "Test/Vpc/DataSubnet1/Subnet": Status.COMPLIANT, "Test/Vpc/DataSubnet2/Subnet": Status.COMPLIANT}
    evidence = evaluations[0].evidence
    assert "own network ACL Test/DataAcl/Resource" in evidence
    assert "tcp/5432 from 10.0.4.0/22 (within Test/Vpc/ApplicationSubnet1/Subnet)" in evidence
    assert "database ports: 5432 (Test/Records/Resource Port = 5432)" in evidence


def test_compliance_2_engine_default_port_when_port_is_absent():
    stack = new_stack()
    vpc = _service_vpc(stack)
    group = rds.SubnetGroup(stack, "Subnets", vpc=vpc, vpc_subnets=DATA, description="data",
                            removal_policy=cdk.RemovalPolicy.RETAIN)
    rds.CfnDBCluster(stack, "Orders", engine="aurora-mysql", db_subnet_group_name=group.subnet_group_name,
                     storage_encrypted=True, manage_master_user_password=True, master_username="admin")
    _acl(stack, vpc, ec2.AclCidr.ipv4(_application_cidr(vpc)), ec2.AclTraffic.tcp_port(3306))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "3306 (Test/Orders default port of aurora-mysql)" in evaluation.evidence


def test_compliance_3_no_database_yet_any_single_port():
    stack = new_stack()
    vpc = _service_vpc(stack)
    _acl(stack, vpc, ec2.AclCidr.ipv4(_application_cidr(vpc)), ec2.AclTraffic.tcp_port(6379))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "the isolated tier of a VPC" in evaluation.evidence
    assert "no database or cache in this subnet, so any single port is accepted" in evaluation.evidence


def test_compliance_4_isolated_subnets_of_a_vpc_without_internet_tiers_are_not_data_subnets():
    stack = new_stack()
    ec2.Vpc(stack, "Management", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Operations", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    assert evaluations_of(stack, RULE) == []
