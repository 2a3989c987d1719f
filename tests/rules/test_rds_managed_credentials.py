import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_rds as rds

from nag_rules import Status
from nag_rules.rules.rds_managed_credentials import RULE
from tests.helpers import evaluations_of, new_stack, only

ENGINE = rds.DatabaseClusterEngine.aurora_postgres(version=rds.AuroraPostgresEngineVersion.VER_16_6)


def _cluster(stack, **props):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    return rds.DatabaseCluster(stack, "Cluster", engine=ENGINE, vpc=vpc, writer=rds.ClusterInstance.serverless_v2("Writer"),
                               vpc_subnets=ec2.SubnetSelection(subnet_group_name="Data"),
                               removal_policy=cdk.RemovalPolicy.RETAIN, **props)


def _cluster_evaluation(stack):
    return only([e for e in evaluations_of(stack, RULE) if e.resource.type == "AWS::RDS::DBCluster"])


def test_noncompliance_1_password_in_the_template():
    stack = new_stack()
    rds.CfnDBInstance(stack, "Database", engine="postgres", db_instance_class="db.t4g.micro", allocated_storage="20",
                      master_username="postgres", master_user_password="hunter2hunter2")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "MasterUserPassword is written in the template"


def test_noncompliance_2_generated_secret_that_nothing_rotates():
    stack = new_stack()
    _cluster(stack)
    evaluation = _cluster_evaluation(stack)
    assert evaluation.status is Status.VIOLATED
    assert "which no AWS::SecretsManager::RotationSchedule rotates" in evaluation.evidence


def test_noncompliance_3_managed_secret_under_the_aws_managed_key():
    stack = new_stack()
    _cluster(stack, credentials=rds.Credentials.from_username("postgres"), manage_master_user_password=True)
    evaluation = _cluster_evaluation(stack)
    assert evaluation.status is Status.VIOLATED
    assert "aws/secretsmanager" in evaluation.evidence


def test_compliance_1_managed_secret_under_a_customer_key():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    _cluster(stack, credentials=rds.Credentials.from_username("postgres", encryption_key=key),
             manage_master_user_password=True)
    evaluation = _cluster_evaluation(stack)
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.startswith("ManageMasterUserPassword = true: RDS keeps the master password in "
                                          "Secrets Manager under Test/Key/Resource and rotates it")


def test_compliance_2_generated_secret_with_a_rotation_schedule():
    stack = new_stack()
    cluster = _cluster(stack)
    cluster.add_rotation_single_user()
    evaluation = _cluster_evaluation(stack)
    assert evaluation.status is Status.COMPLIANT
    assert "rotated by Test/Cluster/Secret/" in evaluation.evidence


def test_unresolved_1_flag_from_a_parameter():
    stack = new_stack()
    flag = cdk.CfnParameter(stack, "Managed", type="String")
    instance = rds.CfnDBInstance(stack, "Database", engine="postgres", db_instance_class="db.t4g.micro",
                                 allocated_storage="20", master_username="postgres")
    instance.add_property_override("ManageMasterUserPassword", flag.value_as_string)
    assert only(evaluations_of(stack, RULE)).status is Status.UNRESOLVED
