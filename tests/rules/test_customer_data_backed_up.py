import aws_cdk as cdk
from aws_cdk import aws_backup as backup
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3

from nag_rules import Status
from nag_rules.rules.customer_data_backed_up import RULE
from tests.helpers import TOKYO, evaluations_of, new_app, new_stack, only

OSAKA = cdk.Environment(account=TOKYO.account, region="ap-northeast-3")
DEFAULT_ROLE = "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole"


def _classified(construct, data_class="customer"):
    cdk.Tags.of(construct).add("DataClassification", data_class)
    return construct


def _bucket(stack, construct_id="Bucket", **props):
    return _classified(s3.Bucket(stack, construct_id, versioned=True, **props))


def _plan(stack):
    plan = backup.BackupPlan(stack, "Plan", backup_vault=backup.BackupVault(stack, "Vault"))
    plan.add_rule(backup.BackupPlanRule.daily())
    return plan


def _role(stack, *policies):
    return iam.Role(stack, "BackupRole", assumed_by=iam.ServicePrincipal("backup.amazonaws.com"),
                    managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(p) for p in policies or (
                        "service-role/AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForS3Backup")])


def _select(plan, *resources, role=None):
    return plan.add_selection("Customer", resources=list(resources), role=role or _role(plan.stack))


def _cfn_selection(stack, plan, iam_role_arn=DEFAULT_ROLE, **selection):
    return backup.CfnBackupSelection(
        stack, "Selection", backup_plan_id=plan.backup_plan_id,
        backup_selection=backup.CfnBackupSelection.BackupSelectionResourceTypeProperty(
            iam_role_arn=iam_role_arn, selection_name="selection", **selection))


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
    _select(_plan(stack), backup.BackupResource.from_arn(bucket.bucket_arn))
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


def test_noncompliance_9_role_without_permissions():
    stack = new_stack()
    table = _classified(dynamodb.TableV2(stack, "Table", partition_key=dynamodb.Attribute(
        name="pk", type=dynamodb.AttributeType.STRING)))
    powerless = iam.Role(stack, "Powerless", assumed_by=iam.ServicePrincipal("backup.amazonaws.com"))
    _cfn_selection(stack, _plan(stack), iam_role_arn=powerless.role_arn, resources=[table.table_arn])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == (
        "Test/Selection selects it by reference in BackupSelection.Resources, but its role Test/Powerless/Resource "
        "lacks the AWS managed policy service-role/AWSBackupServiceRolePolicyForBackup: every backup job of it fails")


def test_noncompliance_10_bucket_with_a_role_without_the_s3_policy():
    stack = new_stack()
    bucket = _bucket(stack)
    _plan(stack).add_selection("Customer", resources=[backup.BackupResource.from_arn(bucket.bucket_arn)])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "lacks the AWS managed policy AWSBackupServiceRolePolicyForS3Backup" in evaluation.evidence


def test_noncompliance_11_role_outside_the_app_is_unresolved():
    stack = new_stack()
    bucket = _bucket(stack)
    _cfn_selection(stack, _plan(stack), iam_role_arn="arn:aws:iam::123456789012:role/backup",
                   resources=[bucket.bucket_arn])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "arn:aws:iam::123456789012:role/backup is a role outside this app" in evaluation.evidence


def test_noncompliance_12_role_that_does_not_trust_aws_backup():
    stack = new_stack()
    bucket = _bucket(stack)
    role = iam.Role(stack, "LambdaRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), managed_policies=[
        iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWSBackupServiceRolePolicyForBackup"),
        iam.ManagedPolicy.from_aws_managed_policy_name("AWSBackupServiceRolePolicyForS3Backup")])
    _select(_plan(stack), backup.BackupResource.from_arn(bucket.bucket_arn), role=role)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "does not trust backup.amazonaws.com" in evaluation.evidence


def test_noncompliance_13_servers_volumes_excluded_by_arn_pattern():
    stack = new_stack()
    _classified(ec2.Volume(stack, "Volume", availability_zone="ap-northeast-1a", size=cdk.Size.gibibytes(8),
                           encrypted=True))
    _cfn_selection(stack, _plan(stack), resources=["*"], conditions=_customer_condition(),
                   not_resources=["arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:*:*:volume/*"])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "Test/Selection excludes it by the ARN pattern arn:aws:ec2:*:*:volume/* in NotResources" in \
        evaluation.evidence


def test_noncompliance_14_exclusion_of_a_deploy_time_name_is_unresolved():
    stack = new_stack()
    _bucket(stack)
    _cfn_selection(stack, _plan(stack), resources=["*"], conditions=_customer_condition(),
                   not_resources=["arn:aws:s3:::scratch-*"])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "whether the NotResources pattern arn:aws:s3:::scratch-* names it is known only at deploy time" in \
        evaluation.evidence


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
                                   "BackupSelection.Resources; AWS Backup acts as Test/Plan/Customer/Role/Resource, "
                                   "which has the AWS managed policies "
                                   "service-role/AWSBackupServiceRolePolicyForBackup")


def test_compliance_2_table_by_tag_though_resources_name_another():
    stack = new_stack()
    _classified(dynamodb.TableV2(stack, "Table", partition_key=dynamodb.Attribute(
        name="pk", type=dynamodb.AttributeType.STRING)))
    other = s3.Bucket(stack, "Other", versioned=True)
    _select(_plan(stack), backup.BackupResource.from_arn(other.bucket_arn),
            backup.BackupResource.from_tag("DataClassification", "customer"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "selects it by tag (ListOfTags DataClassification = customer); AWS Backup acts as " \
           "Test/BackupRole/Resource" in evaluation.evidence


def test_compliance_3_every_resource_with_tag_conditions():
    stack = new_stack()
    _bucket(stack)
    _cfn_selection(stack, _plan(stack), resources=["*"], conditions=_customer_condition())
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "by the ARN pattern * in BackupSelection.Resources, and with Conditions " \
           "aws:ResourceTag/DataClassification StringEquals customer; AWS Backup acts as " \
           f"{DEFAULT_ROLE}, AWS Backup's default service role (created by AWS Backup on first use)" \
           in evaluation.evidence


def test_compliance_4_selection_in_another_stack_by_reference():
    app = new_app()
    data = cdk.Stack(app, "Data", env=TOKYO)
    bucket = _bucket(data)
    backups = cdk.Stack(app, "Backups", env=TOKYO)
    _select(_plan(backups), backup.BackupResource.from_arn(bucket.bucket_arn))
    evaluation = only(evaluations_of(data, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("Backups/Plan/Customer/Resource (plan Backups/Plan/Resource) selects it by "
                                   "reference in BackupSelection.Resources; AWS Backup acts as "
                                   "Backups/BackupRole/Resource, which has the AWS managed policies "
                                   "service-role/AWSBackupServiceRolePolicyForBackup, "
                                   "AWSBackupServiceRolePolicyForS3Backup")


def test_compliance_5_other_data_classes_are_not_evaluated():
    stack = new_stack()
    _classified(s3.Bucket(stack, "Bucket"), "operations")
    assert evaluations_of(stack, RULE) == []


def test_compliance_6_bucket_kept_by_selection_that_excludes_servers():
    stack = new_stack()
    _bucket(stack)
    _cfn_selection(stack, _plan(stack), resources=["*"], conditions=_customer_condition(),
                   not_resources=["arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:*:*:volume/*"])
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT
