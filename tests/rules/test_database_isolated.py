import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_rds as rds

from nag_rules import Status
from nag_rules.rules.database_isolated import RULE
from tests.helpers import evaluations_of, new_stack, only


def _vpc(stack):
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1, subnet_configuration=[
        ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, map_public_ip_on_launch=False),
        ec2.SubnetConfiguration(name="App", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
        ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])


def _cluster(stack, vpc, subnets):
    return rds.DatabaseCluster(stack, "Database", engine=rds.DatabaseClusterEngine.aurora_postgres(
        version=rds.AuroraPostgresEngineVersion.VER_16_4), vpc=vpc, vpc_subnets=subnets,
        writer=rds.ClusterInstance.serverless_v2("Writer"), storage_encrypted=True,
        removal_policy=cdk.RemovalPolicy.RETAIN)


def test_noncompliance_1_database_in_subnets_with_a_nat_route():
    stack = new_stack()
    vpc = _vpc(stack)
    _cluster(stack, vpc, ec2.SubnetSelection(subnet_group_name="App"))
    evaluation = only([e for e in evaluations_of(stack, RULE) if e.resource.type == "AWS::RDS::DBCluster"])
    assert evaluation.status is Status.VIOLATED
    assert "routes out of the VPC via" in evaluation.evidence and "0.0.0.0/0 via NatGateway" in evaluation.evidence


def test_noncompliance_2_publicly_accessible_instance():
    stack = new_stack()
    rds.CfnDBInstance(stack, "Database", engine="postgres", db_instance_class="db.t4g.micro",
                      allocated_storage="20", publicly_accessible=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "PubliclyAccessible = true"


def test_noncompliance_3_no_subnet_group():
    stack = new_stack()
    rds.CfnDBInstance(stack, "Database", engine="postgres", db_instance_class="db.t4g.micro", allocated_storage="20")
    assert "default VPC" in only(evaluations_of(stack, RULE)).evidence


def test_compliance_1_isolated_subnets():
    stack = new_stack()
    vpc = _vpc(stack)
    _cluster(stack, vpc, ec2.SubnetSelection(subnet_group_name="Data"))
    evaluations = evaluations_of(stack, RULE)
    cluster = only([e for e in evaluations if e.resource.type == "AWS::RDS::DBCluster"])
    assert cluster.status is Status.COMPLIANT
    assert "have no route out of the VPC" in cluster.evidence
    (writer,) = [e for e in evaluations if e.resource.type == "AWS::RDS::DBInstance"]
    assert writer.status is Status.COMPLIANT
    assert writer.evidence.startswith("PubliclyAccessible = false; placed by Test/Database/Resource")


def test_noncompliance_4_absent_publicly_accessible_in_a_vpc_with_an_internet_gateway():
    stack = new_stack()
    vpc = _vpc(stack)
    cluster = _cluster(stack, vpc, ec2.SubnetSelection(subnet_group_name="Data"))
    writer = cluster.node.find_child("Writer").node.default_child
    writer.add_property_deletion_override("PubliclyAccessible")
    (evaluation,) = [e for e in evaluations_of(stack, RULE) if e.resource.type == "AWS::RDS::DBInstance"]
    assert evaluation.status is Status.VIOLATED
    assert "Test/Vpc/Resource has an internet gateway" in evaluation.evidence


def test_noncompliance_5_half_the_internet_through_the_internet_gateway():
    stack = new_stack()
    vpc = _vpc(stack)
    _cluster(stack, vpc, ec2.SubnetSelection(subnet_group_name="Data"))
    for subnet in vpc.isolated_subnets:
        ec2.CfnRoute(stack, f"Half{subnet.node.id}", route_table_id=subnet.route_table.route_table_id,
                     destination_cidr_block="0.0.0.0/1", gateway_id=vpc.internet_gateway_id)
    evaluation = only([e for e in evaluations_of(stack, RULE) if e.resource.type == "AWS::RDS::DBCluster"])
    assert evaluation.status is Status.VIOLATED
    assert "0.0.0.0/1 via InternetGateway" in evaluation.evidence
