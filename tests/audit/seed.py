"""A compliant account built with boto3 calls (moto's CloudFormation skips too many types to deploy the templates),
and single changes that break one check each."""

from __future__ import annotations

import json
from typing import Any

import boto3

REGION = "ap-northeast-1"
TIME_SYNC = "169.254.169.123"
MOTO_GAPS = {
    "EbsEncryptionByDefault": "moto does not implement ec2:GetEbsDefaultKmsKeyId",
    "SecurityHubStandards": "moto does not implement securityhub:GetEnabledStandards",
    "BackupDailySevenDays": "moto does not implement backup:ListBackupSelections (nor CreateBackupSelection, so the "
                            "seeded plan selects nothing)",
}
"""Checks a moto account cannot answer; everywhere else they run like the others."""


def clients(endpoint_url: str | None = None, region: str = REGION) -> Any:
    def client(service: str, where: str = region) -> Any:
        return boto3.client(service, region_name=where, endpoint_url=endpoint_url)
    return client


def _key(client: Any) -> str:
    kms = client("kms")
    key = kms.create_key(Description="customer data")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    return key["Arn"]


def _tls_policy(bucket: str) -> str:
    resources = [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyPlainHttp", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
         "Resource": resources, "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "DenyOldTls", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
         "Resource": resources, "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}}},
    ]})


def _bucket(client: Any, name: str, key: str, *, locked_days: int | None = None) -> None:
    s3 = client("s3")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION},
                     ObjectLockEnabledForBucket=locked_days is not None)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key},
        "BucketKeyEnabled": True}]})
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_policy(Bucket=name, Policy=_tls_policy(name))
    if locked_days is not None:
        s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": locked_days}}})


def _networks(client: Any, key: str) -> None:
    ec2, logs = client("ec2"), client("logs")
    options = ec2.create_dhcp_options(DhcpConfigurations=[
        {"Key": "domain-name-servers", "Values": ["AmazonProvidedDNS"]},
        {"Key": "ntp-servers", "Values": [TIME_SYNC]}])["DhcpOptions"]["DhcpOptionsId"]
    ec2.create_vpc(CidrBlock="10.10.0.0/16")
    logs.create_log_group(logGroupName="flow-logs", kmsKeyId=key)
    logs.put_retention_policy(logGroupName="flow-logs", retentionInDays=365)
    role = client("iam").create_role(RoleName="flow-logs", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}}]}))["Role"]
    for vpc in ec2.describe_vpcs()["Vpcs"]:
        ec2.associate_dhcp_options(DhcpOptionsId=options, VpcId=vpc["VpcId"])
        ec2.create_flow_logs(ResourceIds=[vpc["VpcId"]], ResourceType="VPC", TrafficType="ALL",
                             LogGroupName="flow-logs", DeliverLogsPermissionArn=role["Arn"])


def _entry(client: Any) -> None:
    """An ALB answering TLS 1.2+ on 443 and redirecting 80, behind CloudFront with TLS 1.2 both ways."""
    ec2, elbv2 = client("ec2"), client("elbv2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "cidr-block-association.cidr-block", "Values": ["10.10.0.0/16"]}])[
        "Vpcs"][0]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.10.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")[
        "Subnet"]["SubnetId"] for i, zone in enumerate("ac")]
    group = ec2.create_security_group(GroupName="entry", Description="HTTPS in", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        for port in (80, 443)])
    certificate = client("acm").request_certificate(DomainName="origin.learn.example.com")["CertificateArn"]
    balancer = elbv2.create_load_balancer(Name="entry", Subnets=subnets, SecurityGroups=[group],
                                          Scheme="internet-facing")["LoadBalancers"][0]["LoadBalancerArn"]
    target = elbv2.create_target_group(Name="servers", Protocol="HTTP", Port=8080, VpcId=vpc)["TargetGroups"][0][
        "TargetGroupArn"]
    elbv2.create_listener(LoadBalancerArn=balancer, Protocol="HTTPS", Port=443, Certificates=[
        {"CertificateArn": certificate}], SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06",
        DefaultActions=[{"Type": "forward", "TargetGroupArn": target}])
    elbv2.create_listener(LoadBalancerArn=balancer, Protocol="HTTP", Port=80, DefaultActions=[
        {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}])
    edge_certificate = client("acm", "us-east-1").request_certificate(DomainName="learn.example.com")[
        "CertificateArn"]
    behaviour = {"TargetOriginId": "origin", "ViewerProtocolPolicy": "redirect-to-https",
                 "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"}
    client("cloudfront", "us-east-1").create_distribution(DistributionConfig={
        "CallerReference": "entry", "Comment": "entry", "Enabled": True, "Aliases": {"Quantity": 1,
                                                                                 "Items": ["learn.example.com"]},
        "Origins": {"Quantity": 1, "Items": [{"Id": "origin", "DomainName": "origin.learn.example.com",
                                              "CustomOriginConfig": {
                                                  "HTTPPort": 80, "HTTPSPort": 443,
                                                  "OriginProtocolPolicy": "https-only",
                                                  "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]}}}]},
        "DefaultCacheBehavior": behaviour,
        "ViewerCertificate": {"ACMCertificateArn": edge_certificate, "SSLSupportMethod": "sni-only",
                              "MinimumProtocolVersion": "TLSv1.2_2021", "CloudFrontDefaultCertificate": False},
    })


def seed_compliant_account(endpoint_url: str | None = None) -> dict[str, str]:
    """Every audit check passes (but MOTO_GAPS); returns the names tests break things by."""
    client = clients(endpoint_url)
    key = _key(client)
    _bucket(client, "tomolinks-teaching-materials", key)
    _bucket(client, "tomolinks-log-archive", key, locked_days=365)
    cloudtrail = client("cloudtrail")
    cloudtrail.create_trail(Name="audit", S3BucketName="tomolinks-log-archive", IsMultiRegionTrail=True,
                            EnableLogFileValidation=True, KmsKeyId=key)
    cloudtrail.put_event_selectors(TrailName="audit", EventSelectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True}])
    cloudtrail.start_logging(Name="audit")
    logs = client("logs")
    logs.create_log_group(logGroupName="audit", kmsKeyId=key)
    logs.put_retention_policy(logGroupName="audit", retentionInDays=365)
    _networks(client, key)
    _entry(client)
    rds = client("rds")
    rds.create_db_cluster_parameter_group(DBClusterParameterGroupName="records", DBParameterGroupFamily=
                                          "aurora-postgresql16", Description="TLS 1.2 only")
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName="records", Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"},
        {"ParameterName": "ssl_min_protocol_version", "ParameterValue": "TLSv1.2", "ApplyMethod": "immediate"}])
    rds.create_db_cluster(DBClusterIdentifier="records", Engine="aurora-postgresql", EngineVersion="16.13",
                          MasterUsername="admin_user", MasterUserPassword="a-long-password-1", StorageEncrypted=True,
                          KmsKeyId=key, DeletionProtection=True, BackupRetentionPeriod=7,
                          EnableIAMDatabaseAuthentication=True, DBClusterParameterGroupName="records")
    rds.create_db_instance(DBInstanceIdentifier="records-1", DBClusterIdentifier="records", Engine="aurora-postgresql",
                           DBInstanceClass="db.r6g.large")
    dynamodb = client("dynamodb")
    dynamodb.create_table(TableName="daily-records", BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], DeletionProtectionEnabled=True,
                          SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key})
    dynamodb.update_continuous_backups(TableName="daily-records",
                                       PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    backup = client("backup")
    backup.create_backup_vault(BackupVaultName="daily", EncryptionKeyArn=key)
    backup.put_backup_vault_lock_configuration(BackupVaultName="daily", MinRetentionDays=7, MaxRetentionDays=35)
    backup.create_backup_plan(BackupPlan={"BackupPlanName": "daily", "Rules": [{
        "RuleName": "Daily", "TargetBackupVaultName": "daily", "ScheduleExpression": "cron(0 18 * * ? *)",
        "Lifecycle": {"DeleteAfterDays": 7}}]})
    client("guardduty").create_detector(Enable=True)
    client("securityhub").enable_security_hub(EnableDefaultStandards=True)
    ec2 = client("ec2")
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.small",
                      MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled"})
    return {"key": key, "bucket": "tomolinks-teaching-materials", "cluster": "records", "table": "daily-records"}
