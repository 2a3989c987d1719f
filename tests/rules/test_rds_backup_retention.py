import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_rds as rds

from nag_rules import Status
from nag_rules.rules.rds_backup_retention import RULE
from tests.helpers import evaluations_of, new_stack, only

ENGINE = rds.DatabaseClusterEngine.aurora_postgres(version=rds.AuroraPostgresEngineVersion.VER_16_6)
ISOLATED = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)


def _vpc(stack):
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)


def _cluster(stack, **props):
    return rds.DatabaseCluster(stack, "Cluster", engine=ENGINE, vpc=_vpc(stack), vpc_subnets=ISOLATED,
                               writer=rds.ClusterInstance.serverless_v2("Writer"), **props)


def test_noncompliance_1_cluster_on_the_cloudformation_default():
    stack = new_stack()
    _cluster(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "BackupRetentionPeriod = (absent: CloudFormation default 1 day)"


def test_noncompliance_2_instance_kept_three_days():
    stack = new_stack()
    rds.DatabaseInstance(stack, "Database", vpc=_vpc(stack), vpc_subnets=ISOLATED, backup_retention=cdk.Duration.days(3),
                         engine=rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_16))
    assert only(evaluations_of(stack, RULE)).evidence == "BackupRetentionPeriod = 3 (< 7)"


def test_noncompliance_3_instance_backups_disabled():
    stack = new_stack()
    rds.CfnDBInstance(stack, "Database", engine="postgres", db_instance_class="db.t4g.micro", allocated_storage="20",
                      backup_retention_period=0)
    assert "automated backups are disabled" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_4_deploy_time_retention_is_unresolved():
    stack = new_stack()
    days = cdk.CfnParameter(stack, "Days", type="Number")
    rds.CfnDBCluster(stack, "Cluster", engine="aurora-postgresql", backup_retention_period=days.value_as_number)
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED


def test_compliance_1_cluster_kept_a_week():
    stack = new_stack()
    _cluster(stack, backup=rds.BackupProps(retention=cdk.Duration.days(7)))
    evaluations = evaluations_of(stack, RULE)
    assert [e.resource.type for e in evaluations] == ["AWS::RDS::DBCluster"]
    assert evaluations[0].status is Status.COMPLIANT
    assert evaluations[0].evidence == "BackupRetentionPeriod = 7: automated backups kept 7 days"


def test_compliance_2_instance_kept_two_weeks():
    stack = new_stack()
    rds.CfnDBInstance(stack, "Database", engine="postgres", db_instance_class="db.t4g.micro", allocated_storage="20",
                      backup_retention_period=14)
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT
