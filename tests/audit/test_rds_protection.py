from botocore.stub import Stubber

from compliance.audit.checks.rds_protection import CHECK
from compliance.audit.framework import Result

TLS = {"rds.force_ssl": "1", "ssl_min_protocol_version": "TLSv1.2"}


def _cluster(aws, parameters=TLS, **overrides):
    rds = aws.client("rds")
    rds.create_db_cluster_parameter_group(DBClusterParameterGroupName="tls", DBParameterGroupFamily="aurora-postgresql16",
                                          Description="TLS 1.2")
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName="tls", Parameters=[
        {"ParameterName": k, "ParameterValue": v, "ApplyMethod": "immediate"} for k, v in parameters.items()])
    settings = dict(StorageEncrypted=True, KmsKeyId=aws.client("kms").create_key()["KeyMetadata"]["Arn"],
                    DeletionProtection=True, BackupRetentionPeriod=7, EnableIAMDatabaseAuthentication=True)
    settings.update(overrides)
    rds.create_db_cluster(DBClusterIdentifier="records", Engine="aurora-postgresql", MasterUsername="admin_user",
                          MasterUserPassword="password-123", DBClusterParameterGroupName="tls", **settings)
    rds.create_db_instance(DBInstanceIdentifier="records-1", DBClusterIdentifier="records", Engine="aurora-postgresql",
                           DBInstanceClass="db.r6g.large")
    return rds.describe_db_clusters(DBClusterIdentifier="records")["DBClusters"][0]


def test_pass_1_protected_cluster(aws):
    cluster = _cluster(aws)
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.PASS and finding.resource == cluster["DBClusterArn"]
    for words in ("StorageEncrypted = True", "KeyManager = CUSTOMER", "DeletionProtection = True",
                  "BackupRetentionPeriod = 7", "IAMDatabaseAuthenticationEnabled = True",
                  "rds.force_ssl = 1", "ssl_min_protocol_version = TLSv1.2",
                  "DBClusterMembers[records-1].DBClusterParameterGroupStatus = in-sync"):
        assert words in finding.evidence


def test_fail_1_short_backups_and_old_tls(aws):
    _cluster(aws, {"rds.force_ssl": "1", "ssl_min_protocol_version": "TLSv1.1"}, BackupRetentionPeriod=1)
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL
    assert finding.evidence.startswith("DescribeDBClusters: failing: BackupRetentionPeriod = 1, ")
    assert "ssl_min_protocol_version = TLSv1.1" in finding.evidence.split("; as required")[0]


def test_fail_2_standalone_instance_unencrypted(aws):
    aws.client("rds").create_db_instance(DBInstanceIdentifier="legacy", Engine="postgres", DBInstanceClass="db.t3.micro",
                                         AllocatedStorage=20, MasterUsername="admin_user", MasterUserPassword="pw-123456")
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and finding.resource_type == "AWS::RDS::DBInstance"
    assert "StorageEncrypted = False" in finding.evidence


def _parameters(stub, group, values):
    stub.add_response(group, {"Parameters": [{"ParameterName": k, "ParameterValue": v} for k, v in values.items()]})


def test_fail_3_cluster_tls_pending_reboot(aws):
    """The values are set but not applied: the running database still accepts the old TLS."""
    cluster = _cluster(aws)
    cluster["DBClusterMembers"][0]["DBClusterParameterGroupStatus"] = "pending-reboot"
    stub = Stubber(aws.client("rds"))
    stub.add_response("describe_db_clusters", {"DBClusters": [cluster]})
    _parameters(stub, "describe_db_cluster_parameters", TLS)
    stub.add_response("describe_db_instances", {"DBInstances": []})
    with stub:
        (finding,) = CHECK.run(aws)
        stub.assert_no_pending_responses()
    assert finding.result is Result.FAIL
    assert "failing: DBClusterMembers[records-1].DBClusterParameterGroupStatus = pending-reboot" in finding.evidence


def test_fail_4_standalone_instance_parameters_applying(aws):
    instance = {"DBInstanceIdentifier": "legacy", "DBInstanceArn": "arn:aws:rds:ap-northeast-1:123456789012:db:legacy",
                "Engine": "postgres", "StorageEncrypted": True, "KmsKeyId": aws.client("kms").create_key()[
                    "KeyMetadata"]["Arn"], "DeletionProtection": True, "BackupRetentionPeriod": 7,
                "IAMDatabaseAuthenticationEnabled": True,
                "DBParameterGroups": [{"DBParameterGroupName": "tls", "ParameterApplyStatus": "applying"}]}
    stub = Stubber(aws.client("rds"))
    stub.add_response("describe_db_clusters", {"DBClusters": []})
    stub.add_response("describe_db_instances", {"DBInstances": [instance]})
    _parameters(stub, "describe_db_parameters", TLS)
    with stub:
        (finding,) = CHECK.run(aws)
        stub.assert_no_pending_responses()
    assert finding.result is Result.FAIL and finding.resource == instance["DBInstanceArn"]
    assert "failing: DBParameterGroups[tls].ParameterApplyStatus = applying" in finding.evidence


def test_unverified_1_parameter_group_denied(aws):
    cluster = _cluster(aws)
    stub = Stubber(aws.client("rds"))
    stub.add_response("describe_db_clusters", {"DBClusters": [cluster]})
    stub.add_client_error("describe_db_cluster_parameters", "AccessDenied")
    stub.add_response("describe_db_instances", {"DBInstances": []})
    stub.activate()
    (finding,) = CHECK.run(aws)
    stub.assert_no_pending_responses()
    assert finding.result is Result.UNVERIFIED and "rds:DescribeDBClusterParameters: access denied" in finding.evidence
