import pytest
from aws_cdk import assertions as A
from aws_cdk import aws_ec2 as ec2

from constructs_lib import DataClass, DataClassKey
from constructs_lib.data import DailyRecordsTable, RecordsDatabase
from tests.helpers import new_stack


def _database(stack, **overrides):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    group = ec2.SecurityGroup(stack, "DatabaseSecurityGroup", vpc=vpc, allow_all_outbound=False)
    key = DataClassKey(stack, "CustomerKey", data_class=DataClass.CUSTOMER, alias_prefix="p")
    log_key = DataClassKey(stack, "OperationsKey", data_class=DataClass.OPERATIONS, alias_prefix="p")
    props = dict(identifier="p-records", vpc=vpc, subnet_group_name="Data", security_group=group, port=5432, key=key,
                 log_key=log_key, log_retention_days=365)
    props.update(overrides)
    return RecordsDatabase(stack, "Records", **props)


def _key(prefix):
    return {"Fn::GetAtt": [A.Match.string_like_regexp(f"^{prefix}"), "Arn"]}


def test_cluster_is_encrypted_authenticated_protected_and_backed_up():
    stack = new_stack()
    _database(stack)
    template = A.Template.from_stack(stack)
    template.has_resource("AWS::RDS::DBCluster", {
        "DeletionPolicy": "RetainExceptOnCreate",
        "Properties": A.Match.object_like({
            "Engine": "aurora-postgresql",
            "StorageEncrypted": True,
            "KmsKeyId": _key("CustomerKey"),
            "ManageMasterUserPassword": True,
            "MasterUserSecret": {"KmsKeyId": _key("CustomerKey")},
            "EnableIAMDatabaseAuthentication": True,
            "DeletionProtection": True,
            "BackupRetentionPeriod": 7,
            "EnableCloudwatchLogsExports": ["postgresql"],
            "Port": 5432,
            "DBSubnetGroupName": {"Ref": A.Match.string_like_regexp("^RecordsClusterSubnets")},
        }),
    })
    template.has_resource_properties("AWS::RDS::DBInstance", {"PubliclyAccessible": False})


def test_parameter_group_forces_tls_1_2():
    stack = new_stack()
    _database(stack)
    A.Template.from_stack(stack).has_resource_properties("AWS::RDS::DBClusterParameterGroup", {
        "Family": "aurora-postgresql16",
        "Parameters": A.Match.object_like({"rds.force_ssl": "1", "ssl_min_protocol_version": "TLSv1.2"}),
    })


def test_postgresql_logs_are_kept_and_encrypted_with_the_operations_key():
    stack = new_stack()
    _database(stack, log_retention_days=400)
    A.Template.from_stack(stack).has_resource_properties("AWS::Logs::LogGroup", {
        "LogGroupName": "/aws/rds/cluster/p-records/postgresql",
        "RetentionInDays": 400,
        "KmsKeyId": _key("OperationsKey"),
    })


def test_cluster_and_its_parts_carry_the_customer_data_class():
    stack = new_stack()
    _database(stack)
    A.Template.from_stack(stack).has_resource_properties("AWS::RDS::DBCluster", {
        "Tags": A.Match.array_with([{"Key": "DataClassification", "Value": "customer"}])})


def test_fewer_than_seven_days_of_backups_is_refused():
    with pytest.raises(ValueError, match=r"backup_days=3; allowed: 7 or more \(clause 12.3.1\)"):
        _database(new_stack(), backup_days=3)


def test_daily_records_table_uses_the_customer_key_with_recovery_and_protection():
    stack = new_stack()
    key = DataClassKey(stack, "CustomerKey", data_class=DataClass.CUSTOMER, alias_prefix="p")
    DailyRecordsTable(stack, "DailyRecords", key=key)
    template = A.Template.from_stack(stack)
    template.has_resource("AWS::DynamoDB::GlobalTable", {
        "DeletionPolicy": "RetainExceptOnCreate",
        "Properties": A.Match.object_like({
            "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS"},
            "KeySchema": [{"AttributeName": "tenant_id", "KeyType": "HASH"},
                          {"AttributeName": "record_key", "KeyType": "RANGE"}],
            "Replicas": [A.Match.object_like({
                "Region": "ap-northeast-1",
                "DeletionProtectionEnabled": True,
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                "SSESpecification": {"KMSMasterKeyId": _key("CustomerKey")},
                "Tags": A.Match.array_with([{"Key": "DataClassification", "Value": "customer"}]),
            })],
        }),
    })
