import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3

from nag_rules import Status
from nag_rules.rules.approved_algorithms import RULE
from tests.helpers import evaluations_of, new_app, new_stack, only

ELB_CERTIFICATE = "arn:aws:acm:ap-northeast-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
CDN_CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-1111-1111-1111-111111111111"
PARTITION_KEY = dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING)


def _of(stack, resource_type):
    return only([e for e in evaluations_of(stack, RULE) if e.resource.type == resource_type])


def _listener(stack, policy=None):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, map_public_ip_on_launch=False)])
    balancer = elbv2.ApplicationLoadBalancer(stack, "Balancer", vpc=vpc, internet_facing=True)
    return balancer.add_listener("Https", port=443, certificates=[elbv2.ListenerCertificate.from_arn(ELB_CERTIFICATE)],
                                 default_action=elbv2.ListenerAction.fixed_response(404), ssl_policy=policy)


def _distribution(stack, minimum, origin_tls=(cloudfront.OriginSslPolicy.TLS_V1_2,)):
    cloudfront.Distribution(
        stack, "Cdn", domain_names=["learn.example.com"], minimum_protocol_version=minimum,
        certificate=acm.Certificate.from_certificate_arn(stack, "Certificate", CDN_CERTIFICATE),
        default_behavior=cloudfront.BehaviorOptions(
            origin=origins.HttpOrigin("origin.learn.example.com", origin_ssl_protocols=list(origin_tls),
                                      protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY),
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS))


def _cluster(stack, parameters=None, group_name=None):
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    if parameters is not None:
        group_name = rds.CfnDBClusterParameterGroup(stack, "Parameters", description="p",
                                                    family="aurora-postgresql16", parameters=parameters).ref
    rds.CfnDBCluster(stack, "Cluster", engine="aurora-postgresql", master_username="admin",
                     manage_master_user_password=True, storage_encrypted=True, kms_key_id=key.key_arn,
                     db_cluster_parameter_group_name=group_name)


def test_noncompliance_1_sm2_key_outside_china():
    stack = new_stack()
    kms.CfnKey(stack, "Key", key_spec="SM2", key_usage="SIGN_VERIFY",
               key_policy={"Version": "2012-10-17", "Statement": []})
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "SM2" in evaluation.evidence and "ap-northeast-1" in evaluation.evidence


def test_noncompliance_2_elb_policy_missing_from_the_table():
    stack = new_stack()
    _listener(stack, elbv2.SslPolicy.FIPS_TLS13_12_EXT2)
    evaluation = _of(stack, "AWS::ElasticLoadBalancingV2::Listener")
    assert evaluation.status is Status.VIOLATED
    assert "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04: not in the table" in evaluation.evidence


def test_noncompliance_3_elb_listener_with_the_2016_default():
    stack = new_stack()
    _listener(stack).node.default_child.add_property_deletion_override("SslPolicy")
    evaluation = _of(stack, "AWS::ElasticLoadBalancingV2::Listener")
    assert evaluation.status is Status.VIOLATED and "ELBSecurityPolicy-2016-08" in evaluation.evidence


def test_noncompliance_4_deploy_time_elb_policy_is_unresolved():
    stack = new_stack()
    _listener(stack).node.default_child.ssl_policy = cdk.CfnParameter(stack, "Policy").value_as_string
    assert _of(stack, "AWS::ElasticLoadBalancingV2::Listener").status is Status.UNRESOLVED


def test_noncompliance_5_cloudfront_origin_below_tls_1_2():
    stack = new_stack()
    _distribution(stack, cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
                  origin_tls=(cloudfront.OriginSslPolicy.TLS_V1_1, cloudfront.OriginSslPolicy.TLS_V1_2))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "TLSv1.1 below TLS 1.2" in evaluation.evidence


def test_noncompliance_6_cloudfront_old_viewer_policy():
    stack = new_stack()
    _distribution(stack, cloudfront.SecurityPolicyProtocol.TLS_V1_2_2019)
    assert "TLSv1.2_2019: not in the table" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_7_database_allowing_tls_1_1():
    stack = new_stack()
    _cluster(stack, {"rds.force_ssl": "1", "ssl_min_protocol_version": "TLSv1.1"})
    evaluation = _of(stack, "AWS::RDS::DBCluster")
    assert evaluation.status is Status.VIOLATED and "allows TLS older than 1.2" in evaluation.evidence


def test_noncompliance_8_database_parameter_group_outside_the_app_is_unresolved():
    stack = new_stack()
    _cluster(stack, group_name="shared-postgres-parameters")
    evaluation = _of(stack, "AWS::RDS::DBCluster")
    assert evaluation.status is Status.UNRESOLVED and "shared-postgres-parameters" in evaluation.evidence


def test_compliance_1_symmetric_default_is_aes_256_gcm():
    stack = new_stack()
    kms.Key(stack, "Key", enable_key_rotation=True)
    assert only(evaluations_of(stack, RULE)).evidence == (
        "KeySpec = SYMMETRIC_DEFAULT, KeyUsage = ENCRYPT_DECRYPT: AES-256-GCM encryption, "
        "in AWS KMS hardware security modules")


def test_compliance_2_signing_and_key_agreement_keys():
    stack = new_stack()
    kms.Key(stack, "Key", key_spec=kms.KeySpec.ECC_NIST_P256, key_usage=kms.KeyUsage.SIGN_VERIFY)
    assert "ECDSA P-256 signatures" in only(evaluations_of(stack, RULE)).evidence
    other = new_stack()
    kms.Key(other, "Key", key_spec=kms.KeySpec.ECC_NIST_P384, key_usage=kms.KeyUsage.KEY_AGREEMENT)
    assert "ECDH key agreement on P-384" in only(evaluations_of(other, RULE)).evidence


def test_compliance_3_sm2_key_in_a_china_region():
    stack = new_stack(cdk.Environment(account="123456789012", region="cn-north-1"))
    kms.CfnKey(stack, "Key", key_spec="SM2", key_usage="ENCRYPT_DECRYPT",
               key_policy={"Version": "2012-10-17", "Statement": []})
    assert only(evaluations_of(stack, RULE)).status is Status.COMPLIANT


def test_compliance_4_s3_managed_encryption():
    stack = new_stack()
    s3.Bucket(stack, "Bucket", encryption=s3.BucketEncryption.S3_MANAGED)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "SSEAlgorithm = AES256: SSE-S3, AES-256-GCM with keys Amazon S3 manages"


def test_compliance_5_s3_kms_encryption_names_its_key_in_another_stack():
    app = new_app()
    env = cdk.Environment(account="123456789012", region="ap-northeast-1")
    keys = cdk.Stack(app, "Keys", env=env)
    data = cdk.Stack(app, "Data", env=env)
    key = kms.Key(keys, "Key", enable_key_rotation=True)
    s3.Bucket(data, "Bucket", encryption=s3.BucketEncryption.KMS, encryption_key=key, bucket_key_enabled=True)
    evaluation = _of(data, "AWS::S3::Bucket")
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("SSEAlgorithm = aws:kms: SSE-KMS, AES-256-GCM, data keys from KMS key "
                                   "Keys/Key/Resource (S3 Bucket Key on)")


def test_compliance_6_elb_policies_list_their_real_suites():
    stack = new_stack()
    _listener(stack, elbv2.SslPolicy.RECOMMENDED_TLS)
    evaluation = _of(stack, "AWS::ElasticLoadBalancingV2::Listener")
    assert evaluation.status is Status.COMPLIANT
    assert "SslPolicy = ELBSecurityPolicy-TLS13-1-2-2021-06: TLS 1.2, TLS 1.3" in evaluation.evidence
    assert "AES-128-CBC-SHA256, AES-256-CBC-SHA384" in evaluation.evidence
    assert "key exchange ECDHE" in evaluation.evidence
    other = new_stack()
    _listener(other, elbv2.SslPolicy.TLS12)
    evaluation = _of(other, "AWS::ElasticLoadBalancingV2::Listener")
    assert "ELBSecurityPolicy-TLS-1-2-2017-01" in evaluation.evidence
    assert "RSA key exchange with AES-128/256-GCM" in evaluation.evidence
    assert "key exchange ECDHE or RSA" in evaluation.evidence


def test_compliance_7_cloudfront_tls_1_2_2021():
    stack = new_stack()
    _distribution(stack, cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.startswith(
        "viewers: ViewerCertificate.MinimumProtocolVersion = TLSv1.2_2021: TLS 1.2, TLS 1.3; "
        "TLS 1.3: AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305; "
        "TLS 1.2: ECDHE-ECDSA/RSA with AES-128/256-GCM, ChaCha20-Poly1305")
    assert "(origin.learn.example.com): OriginProtocolPolicy = https-only" in evaluation.evidence
    assert 'OriginSSLProtocols = ["TLSv1.2"]' in evaluation.evidence


def test_compliance_8_database_tls_from_its_parameter_group():
    stack = new_stack()
    _cluster(stack, {"rds.force_ssl": "1", "ssl_min_protocol_version": "TLSv1.2"})
    evaluation = _of(stack, "AWS::RDS::DBCluster")
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == (
        "storage: AES-256, data key from KMS key Test/Key/Resource; in transit: TLS 1.2 or newer "
        "(Test/Parameters: ssl_min_protocol_version = TLSv1.2, rds.force_ssl = 1)")


def test_compliance_9_launch_template_volume():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    ec2.LaunchTemplate(stack, "Template", machine_image=ec2.MachineImage.latest_amazon_linux2023(),
                       instance_type=ec2.InstanceType("t3.small"), block_devices=[ec2.BlockDevice(
                           device_name="/dev/xvda", volume=ec2.BlockDeviceVolume.ebs(20, encrypted=True,
                                                                                      kms_key=key))])
    evaluation = _of(stack, "AWS::EC2::LaunchTemplate")
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "/dev/xvda: AES-256, data key from KMS key Test/Key/Resource"


def test_compliance_10_dynamodb_tables():
    stack = new_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    dynamodb.TableV2(stack, "Table", partition_key=PARTITION_KEY,
                     encryption=dynamodb.TableEncryptionV2.customer_managed_key(key))
    evaluation = _of(stack, "AWS::DynamoDB::GlobalTable")
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == ("SSEType = KMS: AES-256, table key from KMS key Test/Key/Resource "
                                   "(replica ap-northeast-1)")
    other = new_stack()
    dynamodb.Table(other, "Table", partition_key=PARTITION_KEY)
    evaluation = only(evaluations_of(other, RULE))
    assert evaluation.status is Status.COMPLIANT and "table key owned by DynamoDB" in evaluation.evidence


def test_compliance_11_api_gateway_domain():
    stack = new_stack()
    apigateway.DomainName(stack, "Domain", domain_name="api.learn.example.com",
                          certificate=acm.Certificate.from_certificate_arn(stack, "Certificate", ELB_CERTIFICATE),
                          security_policy=apigateway.SecurityPolicy.TLS_1_2)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.startswith("SecurityPolicy = TLS_1_2: TLS 1.2, TLS 1.3; TLS 1.3: AES-128-GCM")
