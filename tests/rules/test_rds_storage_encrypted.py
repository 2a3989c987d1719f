from aws_cdk import aws_kms as kms
from aws_cdk import aws_rds as rds

from nag_rules import Status
from nag_rules.rules.rds_storage_encrypted import RULE
from tests.helpers import evaluations_of, new_stack, only


def _cluster(stack, **props):
    return rds.CfnDBCluster(stack, "Cluster", engine="aurora-postgresql", master_username="postgres",
                            manage_master_user_password=True, **props)


def test_noncompliance_1_unencrypted():
    stack = new_stack()
    _cluster(stack)
    assert "StorageEncrypted = (absent: false)" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_2_aws_managed_key():
    stack = new_stack()
    _cluster(stack, storage_encrypted=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "aws/rds" in evaluation.evidence


def test_noncompliance_3_unencrypted_instance():
    stack = new_stack()
    rds.CfnDBInstance(stack, "Database", engine="postgres", db_instance_class="db.t4g.micro", allocated_storage="20")
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_compliance_1_customer_managed_key():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    _cluster(stack, storage_encrypted=True, kms_key_id=key.key_arn)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "StorageEncrypted = true; KmsKeyId = Test/Key/Resource (customer managed)"


def test_compliance_2_cluster_members_are_judged_by_their_cluster():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    cluster = _cluster(stack, storage_encrypted=True, kms_key_id=key.key_arn)
    rds.CfnDBInstance(stack, "Writer", engine="aurora-postgresql", db_instance_class="db.serverless",
                      db_cluster_identifier=cluster.ref)
    assert [e.resource.type for e in evaluations_of(stack, RULE)] == ["AWS::RDS::DBCluster"]
