from dataclasses import replace

from aws_cdk import CfnParameter, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_docdb as docdb
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_elasticache as elasticache
from aws_cdk import aws_fsx as fsx
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_neptune as neptune
from aws_cdk import aws_opensearchservice as opensearch
from aws_cdk import aws_redshift as redshift
from aws_cdk import aws_s3 as s3

from nag_rules import Status
from nag_rules.engine import Outcome
from nag_rules.rules.data_store_encrypted import RULE
from tests.helpers import evaluations_of, new_stack, only

SUBNETS = ["subnet-11111111", "subnet-22222222"]
TLS_1_2 = "Policy-Min-TLS-1-2-2019-07"


def _key(stack):
    return kms.Key(stack, "Key", enable_key_rotation=True)


def _docdb(stack, **props):
    return docdb.CfnDBCluster(stack, "Docs", master_username="docs", manage_master_user_password=True,
                              **props)


def _replication_group(stack, **props):
    return elasticache.CfnReplicationGroup(stack, "Cache", replication_group_description="cache", engine="redis",
                                           cache_node_type="cache.t4g.micro", num_cache_clusters=2,
                                           automatic_failover_enabled=True, **props)


def _domain(stack, key=None, **endpoint):
    encryption = opensearch.CfnDomain.EncryptionAtRestOptionsProperty(enabled=True, kms_key_id=key.key_id) if key \
        else None
    return opensearch.CfnDomain(
        stack, "Search", encryption_at_rest_options=encryption,
        node_to_node_encryption_options=opensearch.CfnDomain.NodeToNodeEncryptionOptionsProperty(enabled=True),
        domain_endpoint_options=opensearch.CfnDomain.DomainEndpointOptionsProperty(**endpoint))


def _redshift(stack, **props):
    return redshift.CfnCluster(stack, "Warehouse", cluster_type="single-node", db_name="dev", master_username="admin",
                               node_type="ra3.large", manage_master_password=True, **props)


def _file_system(stack, kind="WINDOWS", **props):
    return fsx.CfnFileSystem(stack, "Files", file_system_type=kind, subnet_ids=SUBNETS[:1], storage_capacity=1200,
                             **props)


def _delivery_stream(stack, **props):
    bucket = s3.Bucket(stack, "Destination")
    return firehose.CfnDeliveryStream(
        stack, "Delivery", s3_destination_configuration=firehose.CfnDeliveryStream.S3DestinationConfigurationProperty(
            bucket_arn=bucket.bucket_arn, role_arn="arn:aws:iam::123456789012:role/firehose"), **props)


def test_noncompliance_1_document_db_with_the_aws_managed_key():
    stack = new_stack()
    _docdb(stack, storage_encrypted=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and evaluation.evidence == "KmsKeyId absent: the AWS managed key aws/rds"


def test_noncompliance_2_neptune_unencrypted():
    stack = new_stack()
    neptune.CfnDBCluster(stack, "Graph")
    assert only(evaluations_of(stack, RULE)).evidence == "StorageEncrypted = (absent: false)"


def test_noncompliance_3_replication_group_without_key_or_tls():
    stack = new_stack()
    _replication_group(stack, at_rest_encryption_enabled=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("KmsKeyId absent: the ElastiCache default key; "
                                   "TransitEncryptionEnabled = (absent: false)")


def test_noncompliance_4_replication_group_accepting_plain_connections():
    stack = new_stack()
    _replication_group(stack, at_rest_encryption_enabled=True, kms_key_id=_key(stack).key_arn,
                       transit_encryption_enabled=True, transit_encryption_mode="preferred")
    assert only(evaluations_of(stack, RULE)).evidence == "TransitEncryptionMode = preferred"


def test_noncompliance_5_serverless_cache_with_the_aws_owned_key():
    stack = new_stack()
    elasticache.CfnServerlessCache(stack, "Cache", engine="valkey", serverless_cache_name="cache")
    assert "AWS owned key" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_6_domain_without_key_and_with_tls_1_0():
    stack = new_stack()
    _domain(stack, enforce_https=True, tls_security_policy="Policy-Min-TLS-1-0-2019-07")
    evidence = only(evaluations_of(stack, RULE)).evidence
    assert evidence == ("EncryptionAtRestOptions.Enabled = (absent: false); "
                        "DomainEndpointOptions.TLSSecurityPolicy = Policy-Min-TLS-1-0-2019-07")


def test_noncompliance_7_domain_without_https_or_a_pinned_policy():
    stack = new_stack()
    _domain(stack, _key(stack))
    evidence = only(evaluations_of(stack, RULE)).evidence
    assert "EnforceHTTPS = (absent: false)" in evidence and "TLSSecurityPolicy = (absent: the service default)" in evidence


def test_noncompliance_8_redshift_with_the_default_key():
    stack = new_stack()
    _redshift(stack)
    assert only(evaluations_of(stack, RULE)).evidence == "KmsKeyId absent: an AWS owned key"


def test_noncompliance_9_fsx_windows_with_the_aws_managed_key():
    stack = new_stack()
    _file_system(stack, windows_configuration=fsx.CfnFileSystem.WindowsConfigurationProperty(throughput_capacity=32))
    assert "aws/fsx" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_10_fsx_lustre_scratch_cannot_take_a_customer_key():
    stack = new_stack()
    _file_system(stack, "LUSTRE", kms_key_id=_key(stack).key_id)
    evidence = only(evaluations_of(stack, RULE)).evidence
    assert evidence.startswith("LustreConfiguration.DeploymentType = (absent: SCRATCH_1): a scratch file system")


def test_noncompliance_11_direct_put_stream_with_the_aws_owned_key():
    stack = new_stack()
    _delivery_stream(stack, delivery_stream_encryption_configuration_input=firehose.CfnDeliveryStream
                     .DeliveryStreamEncryptionConfigurationInputProperty(key_type="AWS_OWNED_CMK"))
    assert only(evaluations_of(stack, RULE)).evidence == (
        "DeliveryStreamEncryptionConfigurationInput.KeyType = AWS_OWNED_CMK")


def test_noncompliance_12_direct_put_stream_without_encryption():
    stack = new_stack()
    _delivery_stream(stack)
    assert "(absent: no server-side encryption)" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_13_ecr_with_aes256_and_with_the_aws_managed_key():
    stack = new_stack()
    ecr.Repository(stack, "Images", removal_policy=RemovalPolicy.RETAIN)
    ecr.Repository(stack, "Managed", encryption=ecr.RepositoryEncryption.KMS, removal_policy=RemovalPolicy.RETAIN)
    evidence = sorted(e.evidence for e in evaluations_of(stack, RULE))
    assert evidence == ["EncryptionConfiguration.EncryptionType = (absent: AES256)",
                        "EncryptionConfiguration.KmsKey absent: the AWS managed key aws/ecr"]


def test_noncompliance_14_aws_managed_key_named_by_alias():
    stack = new_stack()
    _docdb(stack, storage_encrypted=True, kms_key_id="alias/aws/rds")
    assert "AWS managed key" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_15_deploy_time_flag_is_unresolved():
    stack = new_stack()
    key = _key(stack)
    encrypted = CfnParameter(stack, "Encrypted", type="String", allowed_values=["true", "false"])
    _docdb(stack, kms_key_id=key.key_arn).add_property_override("StorageEncrypted", encrypted.value_as_string)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED and evaluation.evidence == 'StorageEncrypted = {"Ref":"Encrypted"}'


def test_noncompliance_16_user_pool_is_only_ever_under_keys_aws_owns():
    stack = new_stack()
    cognito.UserPool(stack, "Pool")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "keys Amazon Cognito owns" in evaluation.evidence


def test_compliance_1_document_db_and_neptune_with_a_customer_managed_key():
    stack = new_stack()
    key = _key(stack)
    _docdb(stack, storage_encrypted=True, kms_key_id=key.key_arn)
    neptune.CfnDBCluster(stack, "Graph", storage_encrypted=True, kms_key_id=key.key_arn)
    evaluations = evaluations_of(stack, RULE)
    assert len(evaluations) == 2 and {e.status for e in evaluations} == {Status.COMPLIANT}
    assert {e.evidence for e in evaluations} == {"StorageEncrypted = true; KmsKeyId = Test/Key/Resource (customer managed)"}


def test_compliance_2_replication_group_with_key_and_tls():
    stack = new_stack()
    _replication_group(stack, at_rest_encryption_enabled=True, kms_key_id=_key(stack).key_arn,
                       transit_encryption_enabled=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("AtRestEncryptionEnabled = true; KmsKeyId = Test/Key/Resource (customer managed); "
                                   "TransitEncryptionEnabled = true; TransitEncryptionMode = (absent: required)")


def test_compliance_3_serverless_cache_with_a_key_through_its_alias():
    stack = new_stack()
    key = _key(stack)
    alias = key.add_alias("alias/cache")
    elasticache.CfnServerlessCache(stack, "Cache", engine="valkey", serverless_cache_name="cache",
                                   kms_key_id=alias.key_arn)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT and "Test/Key/Resource" in evaluation.evidence


def test_compliance_4_domain_encrypted_with_tls_1_2():
    stack = new_stack()
    _domain(stack, _key(stack), enforce_https=True, tls_security_policy=TLS_1_2)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "EncryptionAtRestOptions.KmsKeyId = Test/Key/Resource (customer managed)" in evaluation.evidence
    assert f"DomainEndpointOptions.TLSSecurityPolicy = {TLS_1_2}" in evaluation.evidence


def test_compliance_5_l2_domain_encrypted_with_tls_1_2():
    stack = new_stack()
    opensearch.Domain(stack, "Search", version=opensearch.EngineVersion.OPENSEARCH_2_13, enforce_https=True,
                      node_to_node_encryption=True, tls_security_policy=opensearch.TLSSecurityPolicy.TLS_1_2_PFS,
                      encryption_at_rest=opensearch.EncryptionAtRestOptions(enabled=True, kms_key=_key(stack)),
                      removal_policy=RemovalPolicy.RETAIN)
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT


def test_compliance_6_redshift_fsx_and_ecr_with_a_customer_managed_key():
    stack = new_stack()
    key = _key(stack)
    _redshift(stack, kms_key_id=key.key_id)
    _file_system(stack, "LUSTRE", kms_key_id=key.key_id,
                 lustre_configuration=fsx.CfnFileSystem.LustreConfigurationProperty(
                     deployment_type="PERSISTENT_2", per_unit_storage_throughput=125))
    ecr.Repository(stack, "Images", encryption=ecr.RepositoryEncryption.KMS, encryption_key=key,
                   removal_policy=RemovalPolicy.RETAIN)
    evaluations = evaluations_of(stack, RULE)
    assert len(evaluations) == 3 and {e.status for e in evaluations} == {Status.COMPLIANT}
    assert {e.resource.type: e.evidence for e in evaluations}["AWS::Redshift::Cluster"] == (
        "Encrypted = (absent: true); KmsKeyId = Test/Key/Resource (customer managed)")


def test_compliance_7_direct_put_stream_with_a_customer_managed_key():
    stack = new_stack()
    _delivery_stream(stack, delivery_stream_encryption_configuration_input=firehose.CfnDeliveryStream
                     .DeliveryStreamEncryptionConfigurationInputProperty(key_type="CUSTOMER_MANAGED_CMK",
                                                                        key_arn=_key(stack).key_arn))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.endswith("KeyARN = Test/Key/Resource (customer managed)")


def test_compliance_8_stream_fed_by_kinesis_is_judged_by_its_source():
    stack = new_stack()
    source = kinesis.Stream(stack, "Source", encryption=kinesis.StreamEncryption.KMS, encryption_key=_key(stack))
    _delivery_stream(stack, delivery_stream_type="KinesisStreamAsSource",
                     kinesis_stream_source_configuration=firehose.CfnDeliveryStream
                     .KinesisStreamSourceConfigurationProperty(
                         kinesis_stream_arn=source.stream_arn, role_arn="arn:aws:iam::123456789012:role/firehose"))
    seen = []
    probe = replace(RULE, check=lambda resource: seen.append(RULE.check(resource)) or RULE.check(resource))
    assert evaluations_of(stack, probe) == []
    assert [(c.outcome, c.evidence) for c in seen] == [(Outcome.NOT_APPLICABLE, (
        "DeliveryStreamType = KinesisStreamAsSource: records rest only in the source stream Test/Source/Resource, "
        "under its own encryption"))]
