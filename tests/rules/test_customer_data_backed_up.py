import aws_cdk as cdk
from aws_cdk import aws_backup as backup
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3

from nag_rules import Status
from nag_rules.rules.customer_data_backed_up import RULE
from tests.helpers import TOKYO, evaluations_of, new_app, new_stack, only

OSAKA = cdk.Environment(account=TOKYO.account, region="ap-northeast-3")


def _classified(construct, data_class="customer"):
    cdk.Tags.of(construct).add("DataClassification", data_class)
    return construct


def _bucket(stack, construct_id="Bucket", **props):
    return _classified(s3.Bucket(stack, construct_id, versioned=True, **props))


def _plan(stack):
    plan = backup.BackupPlan(stack, "Plan", backup_vault=backup.BackupVault(stack, "Vault"))
    plan.add_rule(backup.BackupPlanRule.daily())
    return plan


def _cfn_selection(stack, plan, **selection):
    return backup.CfnBackupSelection(
        stack, "Selection", backup_plan_id=plan.backup_plan_id,
        backup_selection=backup.CfnBackupSelection.BackupSelectionResourceTypeProperty(
            iam_role_arn="arn:aws:iam::123456789012:role/backup", selection_name="selection", **selection))


def _customer_condition(value="customer"):
    return {"StringEquals": [{"ConditionKey": "aws:ResourceTag/DataClassification", "ConditionValue": value}]}


def test_noncompliance_1_no_selection():
    stack = new_stack()
    _bucket(stack)
    _plan(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("no AWS::Backup::BackupSelection of this app in aws://123456789012/ap-northeast-1 "
                                   "selects it")


def test_noncompliance_2_selection_by_another_tag():
    stack = new_stack()
    _bucket(stack)
    _plan(stack).add_selection("Operations", resources=[backup.BackupResource.from_tag("DataClassification",
                                                                                        "operations")])
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_3_conditions_are_anded_with_resources():
    stack = new_stack()
    bucket = _bucket(stack)
    _cfn_selection(stack, _plan(stack), resources=[bucket.bucket_arn], conditions=_customer_condition("operations"))
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_noncompliance_4_excluded_by_not_resources():
    stack = new_stack()
    bucket = _bucket(stack)
    _cfn_selection(stack, _plan(stack), resources=["*"], conditions=_customer_condition(),
                   not_resources=[bucket.bucket_arn])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "Test/Selection excludes it by reference in NotResources" in evaluation.evidence


def test_noncompliance_5_unversioned_bucket_cannot_be_backed_up():
    stack = new_stack()
    bucket = _classified(s3.Bucket(stack, "Bucket"))
    _plan(stack).add_selection("Customer", resources=[backup.BackupResource.from_arn(bucket.bucket_arn)])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "AWS Backup backs up only versioned buckets" in evaluation.evidence


def test_noncompliance_6_deploy_time_resources_are_unresolved():
    stack = new_stack()
    _bucket(stack)
    arn = cdk.CfnParameter(stack, "Arn")
    _plan(stack).add_selection("Customer", resources=[backup.BackupResource.from_arn(arn.value_as_string)])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED and "known only at deploy time" in evaluation.evidence


def test_noncompliance_7_selection_in_another_region_does_not_count():
    app = new_app()
    data = cdk.Stack(app, "Data", env=TOKYO)
    _bucket(data)
    osaka = cdk.Stack(app, "Osaka", env=OSAKA)
    _plan(osaka).add_selection("Customer", resources=[backup.BackupResource.from_tag("DataClassification",
                                                                                      "customer")])
    evaluation = only(evaluations_of(data, RULE))
    assert evaluation.status is Status.VIOLATED and "ap-northeast-1 selects it" in evaluation.evidence



def test_noncompliance_8_plan_outside_the_app_is_unresolved():
    stack = new_stack()
    bucket = _bucket(stack)
    backup.CfnBackupSelection(
        stack, "Selection", backup_plan_id="0123abcd-plan",
        backup_selection=backup.CfnBackupSelection.BackupSelectionResourceTypeProperty(
            iam_role_arn="arn:aws:iam::123456789012:role/backup", selection_name="selection",
            resources=[bucket.bucket_arn]))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "BackupPlanId 0123abcd-plan is no backup plan of this app" in evaluation.evidence

def test_compliance_1_cluster_by_reference():
    stack = new_stack()
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    cluster = _classified(rds.DatabaseCluster(
        stack, "Cluster", vpc=vpc, vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        engine=rds.DatabaseClusterEngine.aurora_postgres(version=rds.AuroraPostgresEngineVersion.VER_16_6),
        writer=rds.ClusterInstance.serverless_v2("Writer")))
    _plan(stack).add_selection("Customer", resources=[backup.BackupResource.from_rds_database_cluster(cluster)])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.resource.type == "AWS::RDS::DBCluster" and evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("Test/Plan/Customer/Resource (plan Test/Plan/Resource) selects it by reference in "
                                   "BackupSelection.Resources")


def test_compliance_2_table_by_tag_though_resources_name_another():
    stack = new_stack()
    _classified(dynamodb.TableV2(stack, "Table", partition_key=dynamodb.Attribute(
        name="pk", type=dynamodb.AttributeType.STRING)))
    other = s3.Bucket(stack, "Other", versioned=True)
    _plan(stack).add_selection("Customer", resources=[
        backup.BackupResource.from_arn(other.bucket_arn),
        backup.BackupResource.from_tag("DataClassification", "customer")])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.endswith("selects it by tag (ListOfTags DataClassification = customer)")


def test_compliance_3_every_resource_with_tag_conditions():
    stack = new_stack()
    _bucket(stack)
    _cfn_selection(stack, _plan(stack), resources=["*"], conditions=_customer_condition())
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "by the ARN pattern * in BackupSelection.Resources, and with Conditions " \
           "aws:ResourceTag/DataClassification StringEquals customer" in evaluation.evidence


def test_compliance_4_selection_in_another_stack_by_reference():
    app = new_app()
    data = cdk.Stack(app, "Data", env=TOKYO)
    bucket = _bucket(data)
    backups = cdk.Stack(app, "Backups", env=TOKYO)
    _plan(backups).add_selection("Customer", resources=[backup.BackupResource.from_arn(bucket.bucket_arn)])
    evaluation = only(evaluations_of(data, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("Backups/Plan/Customer/Resource (plan Backups/Plan/Resource) selects it by "
                                   "reference in BackupSelection.Resources")


def test_compliance_5_other_data_classes_are_not_evaluated():
    stack = new_stack()
    _classified(s3.Bucket(stack, "Bucket"), "operations")
    assert evaluations_of(stack, RULE) == []
