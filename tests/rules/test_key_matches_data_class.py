from aws_cdk import aws_s3 as s3

from constructs_lib import DataClass, DataClassKey, classify
from nag_rules import Status
from nag_rules.rules.key_matches_data_class import RULE
from tests.helpers import evaluations_of, new_stack, only


def _bucket(stack, bucket_class, key_class):
    key = DataClassKey(stack, "Key", data_class=key_class, alias_prefix="p")
    bucket = s3.Bucket(stack, "Bucket", encryption=s3.BucketEncryption.KMS, encryption_key=key)
    classify(bucket, bucket_class)


def test_noncompliance_1_customer_data_under_the_operations_key():
    stack = new_stack()
    _bucket(stack, DataClass.CUSTOMER, DataClass.OPERATIONS)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("DataClassification = customer, but ServerSideEncryptionConfiguration[0]."
                                   "KMSMasterKeyID is Test/Key/Resource (DataClassification = operations)")


def test_noncompliance_2_service_derived_under_the_customer_key():
    stack = new_stack()
    _bucket(stack, DataClass.SERVICE_DERIVED, DataClass.CUSTOMER)
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_compliance_1_same_class():
    stack = new_stack()
    _bucket(stack, DataClass.CUSTOMER, DataClass.CUSTOMER)
    assert only(evaluations_of(stack, RULE)).evidence == (
        "customer data under the customer key: ServerSideEncryptionConfiguration[0].KMSMasterKeyID = Test/Key/Resource")


def test_compliance_2_unclassified_resources_are_left_to_the_tag_rule():
    stack = new_stack()
    key = DataClassKey(stack, "Key", data_class=DataClass.CUSTOMER, alias_prefix="p")
    s3.Bucket(stack, "Bucket", encryption=s3.BucketEncryption.KMS, encryption_key=key)
    assert evaluations_of(stack, RULE) == []


def test_unresolved_1_key_outside_the_app():
    from aws_cdk import aws_kms as kms

    stack = new_stack()
    key = kms.Key.from_key_arn(stack, "Key", "arn:aws:kms:ap-northeast-1:123456789012:key/0000-1111")
    bucket = s3.Bucket(stack, "Bucket", encryption=s3.BucketEncryption.KMS, encryption_key=key)
    classify(bucket, DataClass.CUSTOMER)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED
    assert "not a key of this app" in evaluation.evidence


def _keys(stack):
    return (DataClassKey(stack, "CustomerKey", data_class=DataClass.CUSTOMER, alias_prefix="p"),
            DataClassKey(stack, "OperationsKey", data_class=DataClass.OPERATIONS, alias_prefix="p"))


def test_noncompliance_3_global_table_replica_under_another_class():
    from aws_cdk import aws_dynamodb as dynamodb

    stack = new_stack()
    _, operations = _keys(stack)
    table = dynamodb.TableV2(stack, "Table", partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
                             encryption=dynamodb.TableEncryptionV2.customer_managed_key(operations))
    classify(table, DataClass.CUSTOMER)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "Replicas[0].SSESpecification.KMSMasterKeyId is Test/OperationsKey/Resource" in evaluation.evidence


def test_noncompliance_4_database_secret_under_another_class():
    from aws_cdk import aws_rds as rds

    stack = new_stack()
    customer, operations = _keys(stack)
    cluster = rds.CfnDBCluster(stack, "Cluster", engine="aurora-postgresql", storage_encrypted=True,
                               kms_key_id=customer.key_arn, manage_master_user_password=True,
                               master_username="postgres",
                               master_user_secret=rds.CfnDBCluster.MasterUserSecretProperty(kms_key_id=operations.key_arn))
    classify(cluster, DataClass.CUSTOMER)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "MasterUserSecret.KmsKeyId is Test/OperationsKey/Resource" in evaluation.evidence


def test_noncompliance_5_launch_template_volume_under_another_class():
    from aws_cdk import aws_ec2 as ec2

    stack = new_stack()
    _, operations = _keys(stack)
    template = ec2.LaunchTemplate(stack, "Template", block_devices=[ec2.BlockDevice(
        device_name="/dev/xvda", volume=ec2.BlockDeviceVolume.ebs(20, encrypted=True, kms_key=operations))])
    classify(template, DataClass.CUSTOMER)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "BlockDeviceMappings[0].Ebs.KmsKeyId is Test/OperationsKey/Resource" in evaluation.evidence


def test_compliance_3_every_key_of_a_cluster_is_its_class():
    from aws_cdk import aws_rds as rds

    stack = new_stack()
    customer, _ = _keys(stack)
    cluster = rds.CfnDBCluster(stack, "Cluster", engine="aurora-postgresql", storage_encrypted=True,
                               kms_key_id=customer.key_arn, manage_master_user_password=True,
                               master_username="postgres",
                               master_user_secret=rds.CfnDBCluster.MasterUserSecretProperty(kms_key_id=customer.key_arn))
    classify(cluster, DataClass.CUSTOMER)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("customer data under the customer key: KmsKeyId = Test/CustomerKey/Resource; "
                                   "MasterUserSecret.KmsKeyId = Test/CustomerKey/Resource")
