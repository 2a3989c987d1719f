"""Removing any one protection from the default app is caught by the rule for it, as a violation of
the resource that lost it.

The default app is synthesized once; each case edits one value of its templates, as a changed
construct or an escape hatch would, and runs the rule on the result."""

import json
import shutil
from typing import Callable

import pytest

from nag_rules import Status, all_rules
from nag_rules.assembly import CloudAssembly
from nag_rules.engine import evaluate

RULES = {rule.name: rule for rule in all_rules()}


def _by_id(template: dict, kind: str, logical_id_prefix: str) -> dict:
    """The resource of ``kind`` whose logical ID (derived from its construct path) starts with the prefix."""
    matches = [r for k, r in template["Resources"].items() if r["Type"] == kind and k.startswith(logical_id_prefix)]
    assert len(matches) == 1, (kind, logical_id_prefix, len(matches))
    return matches[0]


def _props(template: dict, kind: str, logical_id_prefix: str) -> dict:
    return _by_id(template, kind, logical_id_prefix)["Properties"]


def _remove(template: dict, kind: str, logical_id_prefix: str) -> None:
    doomed = [k for k, r in template["Resources"].items() if r["Type"] == kind and k.startswith(logical_id_prefix)]
    assert len(doomed) == 1, (kind, logical_id_prefix, doomed)
    del template["Resources"][doomed[0]]


def _add(template: dict, logical_id: str, kind: str, properties: dict) -> None:
    template["Resources"][logical_id] = {"Type": kind, "Properties": properties}


def _launch_data(template: dict) -> dict:
    return _props(template, "AWS::EC2::LaunchTemplate", "ServersLaunchTemplate")["LaunchTemplateData"]


def _session_inputs(template: dict) -> dict:
    return _props(template, "AWS::SSM::Document", "SessionsPreferences")["Content"]["inputs"]


def _web_acl_rule(template: dict, name: str) -> dict:
    rules = _props(template, "AWS::WAFv2::WebACL", "FirewallWebAcl")["Rules"]
    return next(rule for rule in rules if rule["Name"] == name)


def _tls_deny_statement(template: dict, policy: str) -> dict:
    statements = _props(template, "AWS::S3::BucketPolicy", policy)["PolicyDocument"]["Statement"]
    return next(s for s in statements if "NumericLessThan" in s.get("Condition", {}))


def _vpc_ref(template: dict, prefix: str) -> dict:
    return {"Ref": next(k for k, r in template["Resources"].items()
                        if r["Type"] == "AWS::EC2::VPC" and k.startswith(prefix))}


Mutation = tuple[str, str, str, str, Callable[[dict], None]]
CASES: list[Mutation] = [
    # issue 3: networks, servers, attack blocking, time sync, privileged access
    ("flow log of rejected traffic only", "VpcFlowLogs", "Network", "Network/ServiceVpc/Resource",
     lambda t: _props(t, "AWS::EC2::FlowLog", "ServiceVpcFlowLog").update(TrafficType="REJECT")),
    ("flow log removed", "VpcFlowLogs", "Network", "Network/ServiceVpc/Resource",
     lambda t: _remove(t, "AWS::EC2::FlowLog", "ServiceVpcFlowLog")),
    ("flow log group not encrypted", "VpcFlowLogs", "Network", "Network/ServiceVpc/Resource",
     lambda t: _props(t, "AWS::Logs::LogGroup", "ServiceVpcFlowLogs").pop("KmsKeyId")),
    ("DHCP options without Time Sync", "VpcTimeSync", "Network", "Network/ServiceVpc/Resource",
     lambda t: _props(t, "AWS::EC2::DHCPOptions", "ServiceVpcTimeSync").update(NtpServers=["10.0.0.2"])),
    ("DHCP association removed", "VpcTimeSync", "Network", "Network/ManagementVpc/Resource",
     lambda t: _remove(t, "AWS::EC2::VPCDHCPOptionsAssociation", "ManagementVpcTimeSync")),
    ("default security group left open", "VpcDefaultSecurityGroupClosed", "Network", "Network/ServiceVpc/Resource",
     lambda t: _remove(t, "Custom::VpcRestrictDefaultSG", "ServiceVpc")),
    ("default security group reopened by a standalone rule", "VpcDefaultSecurityGroupClosed", "Network",
     "Network/ServiceVpc/Resource",
     lambda t: _add(t, "Reopen", "AWS::EC2::SecurityGroupIngress", {
         "GroupId": {"Fn::GetAtt": [_vpc_ref(t, "ServiceVpc")["Ref"], "DefaultSecurityGroup"]},
         "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/8"})),
    ("KMS endpoint removed", "VpcServiceEndpoints", "Network", "Network/ServiceVpc/Resource",
     lambda t: _remove(t, "AWS::EC2::VPCEndpoint", "ServiceVpcKms")),
    ("SSM endpoint without private DNS", "VpcServiceEndpoints", "Network", "Network/ManagementVpc/Resource",
     lambda t: _endpoint(t, "ManagementVpc", "ssm").update(PrivateDnsEnabled=False)),
    ("data subnets open to half the internet", "DataSubnetAcl", "Network", "Network/ServiceVpc/DataSubnet1",
     lambda t: _props(t, "AWS::EC2::NetworkAclEntry", "ServiceVpcDataAclFromApplication0").update(
         CidrBlock="0.0.0.0/1")),
    ("data subnets open on every port", "DataSubnetAcl", "Network", "Network/ServiceVpc/DataSubnet",
     lambda t: _props(t, "AWS::EC2::NetworkAclEntry", "ServiceVpcDataAclFromApplication1").update(
         PortRange={"From": 0, "To": 65535})),
    ("data subnet routed to the internet", "DatabaseIsolated", "Network", "Data/Records/Cluster/Resource",
     lambda t: _add(t, "Leak", "AWS::EC2::Route", {
         "RouteTableId": {"Ref": "ServiceVpcDataSubnet2RouteTable49DE5104"}, "DestinationCidrBlock": "0.0.0.0/1",
         "GatewayId": {"Ref": "ServiceVpcIGWA89F5FEB"}})),
    ("IMDSv1 allowed", "Imdsv2Required", "Application", "Application/Servers/LaunchTemplate/Resource",
     lambda t: _launch_data(t)["MetadataOptions"].update(HttpTokens="optional")),
    ("metadata hop limit 2", "Imdsv2Required", "Application", "Application/Servers/LaunchTemplate/Resource",
     lambda t: _launch_data(t)["MetadataOptions"].update(HttpPutResponseHopLimit=2)),
    ("root volume unencrypted", "EbsEncrypted", "Application", "Application/Servers/LaunchTemplate/Resource",
     lambda t: _launch_data(t)["BlockDeviceMappings"][0]["Ebs"].update(Encrypted=False)),
    ("public IP on servers", "NoPublicIp", "Application", "Application/Servers/LaunchTemplate/Resource",
     lambda t: _launch_data(t)["NetworkInterfaces"][0].update(AssociatePublicIpAddress=True)),
    ("SSH key pair", "NoKeyPair", "Application", "Application/Servers/LaunchTemplate/Resource",
     lambda t: _launch_data(t).update(KeyName="operators")),
    ("chrony line dropped", "UserDataTimeSync", "Application", "Application/Servers/LaunchTemplate/Resource",
     lambda t: _launch_data(t).update(UserData={"Fn::Base64": "#!/bin/bash\necho ready"})),
    ("SSH from the office", "NoRemoteAdminIngress", "Application", "Application/Servers/SecurityGroup/Resource",
     lambda t: _props(t, "AWS::EC2::SecurityGroup", "ServersSecurityGroup").setdefault(
         "SecurityGroupIngress", []).append({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                             "CidrIp": "10.0.0.0/8"})),
    ("servers open to half the internet", "SecurityGroupWorldIngress", "Application",
     "Application/Servers/SecurityGroup/Resource",
     lambda t: _props(t, "AWS::EC2::SecurityGroup", "ServersSecurityGroup").setdefault(
         "SecurityGroupIngress", []).append({"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
                                             "CidrIp": "128.0.0.0/1"})),
    ("WAF association removed", "InternetEntryPointWaf", "Application", "Application/Entry/LoadBalancer/Resource",
     lambda t: _remove(t, "AWS::WAFv2::WebACLAssociation", "FirewallProtectsEntry")),
    ("web ACL removed from CloudFront", "InternetEntryPointWaf", "Edge", "Edge/Entry/Distribution/Resource",
     lambda t: _props(t, "AWS::CloudFront::Distribution", "EntryDistribution")["DistributionConfig"].pop(
         "WebACLId")),
    ("SQL injection rules only counted", "WebAclProtections", "Application", "Application/Firewall/WebAcl",
     lambda t: _web_acl_rule(t, "AWSManagedRulesSQLiRuleSet").update(OverrideAction={"Count": {}})),
    ("rate limit removed", "WebAclProtections", "Edge", "Edge/Firewall/WebAcl",
     lambda t: _props(t, "AWS::WAFv2::WebACL", "FirewallWebAcl")["Rules"].pop()),
    ("WAF logging removed", "WebAclProtections", "Application", "Application/Firewall/WebAcl",
     lambda t: _remove(t, "AWS::WAFv2::LoggingConfiguration", "FirewallLogging")),
    ("WAF logs kept a month", "WebAclProtections", "Application", "Application/Firewall/WebAcl",
     lambda t: _props(t, "AWS::Logs::LogGroup", "FirewallLogs").update(RetentionInDays=30)),
    ("session logs not encrypted", "SessionManagerLogging", "Application", "Application/Sessions/Preferences",
     lambda t: _session_inputs(t).update(cloudWatchEncryptionEnabled=False)),
    ("session data not encrypted", "SessionManagerLogging", "Application", "Application/Sessions/Preferences",
     lambda t: _session_inputs(t).update(kmsKeyId="")),
    ("session logs kept a month", "SessionManagerLogging", "Application", "Application/Sessions/Preferences",
     lambda t: _props(t, "AWS::Logs::LogGroup", "SessionsLogs").update(RetentionInDays=30)),
    ("servers left to someone else's session preferences", "SessionManagerLogging", "Application",
     "Application/Servers/Group/ASG",
     lambda t: _props(t, "AWS::SSM::Document", "SessionsPreferences").update(Name="tomolinks-sessions")),
    ("operator role for twelve hours", "HumanRoleTrust", "Application", "Application/OperatorRole/Resource",
     lambda t: _props(t, "AWS::IAM::Role", "OperatorRole").update(MaxSessionDuration=43200)),
    ("operator role open to everyone", "HumanRoleTrust", "Application", "Application/OperatorRole/Resource",
     lambda t: _props(t, "AWS::IAM::Role", "OperatorRole")["AssumeRolePolicyDocument"]["Statement"][0].update(
         Principal={"AWS": "*"})),
    ("an IAM user", "NoIamUsers", "Application", "Application/Operator",
     lambda t: _add(t, "Operator", "AWS::IAM::User", {})),
    ("peering toward a customer network", "NetworkLinkApproved", "Network", "Network/ToSchool",
     lambda t: _add(t, "ToSchool", "AWS::EC2::VPCPeeringConnection", {
         "VpcId": _vpc_ref(t, "ServiceVpc"), "PeerVpcId": "vpc-0123456789abcdef0"})),
    ("flow log group kept a month", "LogGroupRetention", "Network", "Network/ServiceVpc/FlowLogs/Resource",
     lambda t: _props(t, "AWS::Logs::LogGroup", "ServiceVpcFlowLogs").update(RetentionInDays=30)),
    # issue 4: encryption everywhere, TLS 1.2 on every endpoint, data classes kept apart
    ("log archive on SSE-S3", "S3BucketKmsCmk", "Foundation", "Foundation/LogArchive/Resource",
     lambda t: _props(t, "AWS::S3::Bucket", "LogArchive")["BucketEncryption"].update(
         ServerSideEncryptionConfiguration=[{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}])),
    ("log archive accepts TLS 1.0", "S3BucketTlsOnly", "Foundation", "Foundation/LogArchive/Resource",
     lambda t: _tls_deny_statement(t, "LogArchivePolicy")["Condition"]["NumericLessThan"].update(
         {"s3:TlsVersion": 1.0})),
    ("key rotation off", "KmsKeyRotation", "Foundation", "Foundation/Keys/Customer/Resource",
     lambda t: _props(t, "AWS::KMS::Key", "KeysCustomer").update(EnableKeyRotation=False)),
    ("key usable by anyone", "KmsKeyPolicy", "Foundation", "Foundation/Keys/ServiceDerived/Resource",
     lambda t: _props(t, "AWS::KMS::Key", "KeysServiceDerived")["KeyPolicy"]["Statement"].append(
         {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"})),
    ("notifications topic unencrypted", "KmsCmkEncryption", "Foundation", "Foundation/Notifications/Resource",
     lambda t: _props(t, "AWS::SNS::Topic", "Notifications").pop("KmsMasterKeyId")),
    ("learning records versioning suspended", "S3BucketVersioning", "Data", "Data/LearningRecords/Resource",
     lambda t: _props(t, "AWS::S3::Bucket", "LearningRecords").update(VersioningConfiguration={"Status": "Suspended"})),
    ("teaching materials may be made public", "S3BucketPublicAccessBlock", "Data", "Data/TeachingMaterials/Resource",
     lambda t: _props(t, "AWS::S3::Bucket", "TeachingMaterials")["PublicAccessBlockConfiguration"].update(
         BlockPublicPolicy=False)),
    ("customer bucket under the operations key", "KeyMatchesDataClass", "Data", "Data/TeachingMaterials/Resource",
     lambda t: _props(t, "AWS::S3::Bucket", "TeachingMaterials")["BucketEncryption"][
         "ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]["Fn::GetStackOutput"]
     .update(OutputName=_operations_key_output(t))),
    ("learning records without a data class", "DataClassificationTag", "Data", "Data/LearningRecords/Resource",
     lambda t: _props(t, "AWS::S3::Bucket", "LearningRecords").update(
         Tags=[tag for tag in _props(t, "AWS::S3::Bucket", "LearningRecords")["Tags"]
               if tag["Key"] != "DataClassification"])),
    ("database storage unencrypted", "RdsStorageEncrypted", "Data", "Data/Records/Cluster/Resource",
     lambda t: _props(t, "AWS::RDS::DBCluster", "RecordsCluster").update(StorageEncrypted=False)),
    ("database accepts plain connections", "RdsTlsEnforced", "Data", "Data/Records/Cluster/Resource",
     lambda t: _props(t, "AWS::RDS::DBClusterParameterGroup", "RecordsParameters")["Parameters"].update(
         {"rds.force_ssl": "0"})),
    ("database accepts TLS 1.1", "RdsTlsEnforced", "Data", "Data/Records/Cluster/Resource",
     lambda t: _props(t, "AWS::RDS::DBClusterParameterGroup", "RecordsParameters")["Parameters"].update(
         ssl_min_protocol_version="TLSv1.1")),
    ("daily records under an AWS owned key", "DynamoDbKmsCmk", "Data", "Data/DailyRecords/Resource",
     lambda t: _props(t, "AWS::DynamoDB::GlobalTable", "DailyRecords").update(SSESpecification={"SSEEnabled": False})),
    ("load balancer on a TLS 1.0 policy", "ElbListenerTls", "Application",
     "Application/Entry/LoadBalancer/Https/Resource",
     lambda t: _props(t, "AWS::ElasticLoadBalancingV2::Listener", "EntryLoadBalancerHttps").update(
         SslPolicy="ELBSecurityPolicy-2016-08")),
    ("HTTP listener serving instead of redirecting", "ElbListenerTls", "Application",
     "Application/Entry/LoadBalancer/Redirect80To443/Resource",
     lambda t: _props(t, "AWS::ElasticLoadBalancingV2::Listener", "EntryLoadBalancerRedirect").update(
         DefaultActions=[{"Type": "forward", "TargetGroupArn": {"Ref": "EntryLoadBalancerHttpsServersGroupE4777A7A"}}])),
    ("root may use the customer key without a service", "KmsKeyPolicy", "Foundation", "Foundation/Keys/Customer/Resource",
     lambda t: _key_statement(t, "KeysCustomer", "UseThroughTheServicesThatStoreThisClass").pop("Condition")),
    ("daily records replica under the operations key", "KeyMatchesDataClass", "Data", "Data/DailyRecords/Resource",
     lambda t: _props(t, "AWS::DynamoDB::GlobalTable", "DailyRecords")["Replicas"][0]["SSESpecification"][
         "KMSMasterKeyId"]["Fn::GetStackOutput"].update(OutputName=_operations_key_output(t))),
    ("database secret under the operations key", "KeyMatchesDataClass", "Data", "Data/Records/Cluster/Resource",
     lambda t: _props(t, "AWS::RDS::DBCluster", "RecordsCluster")["MasterUserSecret"]["KmsKeyId"][
         "Fn::GetStackOutput"].update(OutputName=_operations_key_output(t))),
    ("database secret under the AWS managed key", "RdsManagedCredentials", "Data", "Data/Records/Cluster/Resource",
     lambda t: _props(t, "AWS::RDS::DBCluster", "RecordsCluster").pop("MasterUserSecret")),
    ("server volumes unclassified", "DataClassificationTag", "Application",
     "Application/Servers/LaunchTemplate/Resource",
     lambda t: [spec.update(Tags=[tag for tag in spec["Tags"] if tag["Key"] != "DataClassification"])
                for spec in _launch_data(t)["TagSpecifications"]]),
    ("backup vault under the AWS managed key", "KmsCmkEncryption", "Data", "Data/Backup/Vault/Resource",
     lambda t: _props(t, "AWS::Backup::BackupVault", "BackupVault").pop("EncryptionKeyArn")),
    ("teaching materials without a bucket key", "S3BucketKmsCmk", "Data", "Data/TeachingMaterials/Resource",
     lambda t: _props(t, "AWS::S3::Bucket", "TeachingMaterials")["BucketEncryption"][
         "ServerSideEncryptionConfiguration"][0].update(BucketKeyEnabled=False)),
    ("HTTP listener rule serving plain HTTP", "ElbListenerTls", "Application",
     "Application/Entry/LoadBalancer/Redirect80To443/Resource",
     lambda t: _add(t, "ServePlainHttp", "AWS::ElasticLoadBalancingV2::ListenerRule", {
         "ListenerArn": {"Ref": next(k for k in t["Resources"] if k.startswith("EntryLoadBalancerRedirect"))},
         "Priority": 1, "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/*"]}}],
         "Actions": [{"Type": "forward", "TargetGroupArn": {"Ref": next(
             k for k, r in t["Resources"].items() if r["Type"] == "AWS::ElasticLoadBalancingV2::TargetGroup")}}]})),
    ("CloudFront reaching the origin over HTTP", "CloudFrontTls", "Edge", "Edge/Entry/Distribution/Resource",
     lambda t: _props(t, "AWS::CloudFront::Distribution", "EntryDistribution")["DistributionConfig"]["Origins"][0][
         "CustomOriginConfig"].update(OriginProtocolPolicy="http-only")),
    # issue 5: backups, records, monitoring, notification
    ("backups kept three days", "BackupPlanDailyRetention", "Data", "Data/Backup/Plan/Resource",
     lambda t: _props(t, "AWS::Backup::BackupPlan", "BackupPlan")["BackupPlan"]["BackupPlanRule"][0].update(
         Lifecycle={"DeleteAfterDays": 3})),
    ("backups weekly", "BackupPlanDailyRetention", "Data", "Data/Backup/Plan/Resource",
     lambda t: _props(t, "AWS::Backup::BackupPlan", "BackupPlan")["BackupPlan"]["BackupPlanRule"][0].update(
         ScheduleExpression="cron(0 18 ? * SUN *)")),
    ("backup copies to Singapore", "BackupCopyInJapan", "Data", "Data/Backup/Plan/Resource",
     lambda t: _props(t, "AWS::Backup::BackupPlan", "BackupPlan")["BackupPlan"]["BackupPlanRule"][0].update(
         CopyActions=[{"DestinationBackupVaultArn": "arn:aws:backup:ap-southeast-1:123456789012:backup-vault:x"}])),
    ("vault lock removed", "BackupVaultLocked", "Data", "Data/Backup/Vault/Resource",
     lambda t: _props(t, "AWS::Backup::BackupVault", "BackupVault").pop("LockConfiguration")),
    ("learning records left out of the backups", "CustomerDataBackedUp", "Data", "Data/LearningRecords/Resource",
     lambda t: _props(t, "AWS::Backup::BackupSelection", "BackupPlanCustomerData")["BackupSelection"].update(
         Resources=[r for r in _props(t, "AWS::Backup::BackupSelection", "BackupPlanCustomerData")["BackupSelection"][
             "Resources"] if "LearningRecords" not in json.dumps(r)], ListOfTags=[])),
    ("database backups kept a day", "RdsBackupRetention", "Data", "Data/Records/Cluster/Resource",
     lambda t: _props(t, "AWS::RDS::DBCluster", "RecordsCluster").pop("BackupRetentionPeriod")),
    ("daily records without point-in-time recovery", "DynamoDbPointInTimeRecovery", "Data",
     "Data/DailyRecords/Resource",
     lambda t: _props(t, "AWS::DynamoDB::GlobalTable", "DailyRecords")["Replicas"][0].pop(
         "PointInTimeRecoverySpecification")),
    ("trail without log file validation", "CloudTrailProtected", "Foundation", "Foundation/Trail/Resource",
     lambda t: _props(t, "AWS::CloudTrail::Trail", "Trail").update(EnableLogFileValidation=False)),
    ("trail in one region only", "CloudTrailProtected", "Foundation", "Foundation/Trail/Resource",
     lambda t: _props(t, "AWS::CloudTrail::Trail", "Trail").update(IsMultiRegionTrail=False)),
    ("log archive without Object Lock", "LogArchiveLocked", "Foundation", "Foundation/LogArchive/Resource",
     lambda t: [_props(t, "AWS::S3::Bucket", "LogArchive").pop(k) for k in ("ObjectLockEnabled",
                                                                         "ObjectLockConfiguration")]),
    ("log archive deletions allowed", "LogArchiveLocked", "Foundation", "Foundation/LogArchive/Resource",
     lambda t: _props(t, "AWS::S3::BucketPolicy", "LogArchivePolicy")["PolicyDocument"].update(Statement=[
         s for s in _props(t, "AWS::S3::BucketPolicy", "LogArchivePolicy")["PolicyDocument"]["Statement"]
         if s.get("Sid") != "DenyDeletingLogs"])),
    ("an alarm that tells nobody", "AlarmHasAction", "Operations", "Operations/Monitoring/ServerCpu",
     lambda t: _props(t, "AWS::CloudWatch::Alarm", "MonitoringServerCpu").pop("AlarmActions")),
    ("memory not watched", "CapacityMonitored", "Operations", "Application/Servers/Group/ASG",
     lambda t: _remove(t, "AWS::CloudWatch::Alarm", "MonitoringServerMemory")),
    ("servers that do not scale", "CapacityMonitored", "Application", "Application/Servers/Group/ASG",
     lambda t: _remove(t, "AWS::AutoScaling::ScalingPolicy", "ServersGroupScalingPolicy")),
    ("GuardDuty without malware scans", "GuardDutyProtections", "Security", "Security/Threats/Detector",
     lambda t: _props(t, "AWS::GuardDuty::Detector", "ThreatsDetector").update(Features=[
         f for f in _props(t, "AWS::GuardDuty::Detector", "ThreatsDetector")["Features"]
         if f["Name"] != "EBS_MALWARE_PROTECTION"])),
    ("GuardDuty findings routed nowhere", "GuardDutyFindingsRouted", "Operations", "Security/Threats/Detector",
     lambda t: _remove(t, "AWS::Events::Rule", "IncidentsGuardDutyFindings")),
    ("only high GuardDuty findings mailed", "GuardDutyFindingsRouted", "Operations", "Security/Threats/Detector",
     lambda t: _props(t, "AWS::Events::Rule", "IncidentsGuardDutyFindings")["EventPattern"]["detail"].update(
         severity=[{"numeric": [">=", 7]}])),
    ("CIS standard not enabled", "SecurityHubStandards", "Security", "Security/Posture/Hub",
     lambda t: _remove(t, "AWS::SecurityHub::Standard", "PostureCisAwsFoundationsBenchmark")),
    ("S3 malware protection removed", "GuardDutyProtections", "Data", "Security/Threats/Detector",
     lambda t: _remove(t, "AWS::GuardDuty::MalwareProtectionPlan", "MalwareProtectionTeachingMaterials")),
    ("Config.1 disabled in the standard", "SecurityHubStandards", "Security", "Security/Posture/Hub",
     lambda t: _props(t, "AWS::SecurityHub::Standard", "PostureAwsFoundationalSecurityBestPractices").update(
         DisabledStandardsControls=[{"StandardsControlArn": "arn:aws:securityhub:ap-northeast-1:123456789012:"
                                     "control/aws-foundational-security-best-practices/v/1.0.0/Config.1",
                                     "Reason": "test"}])),
    ("Config delivery channel removed", "ConfigRecorderEnabled", "Security", "Security/Posture/Recorder",
     lambda t: _remove(t, "AWS::Config::DeliveryChannel", "PostureDeliveryChannel")),
    ("Inspector never enabled", "InspectorEnabled", "Security", "Application/Servers/Group/ASG",
     lambda t: _remove(t, "Custom::AWS", "PostureInspector")),
    ("patch task only scans", "ServersPatched", "Operations", "Application/Servers/Group/ASG",
     lambda t: _props(t, "AWS::SSM::MaintenanceWindowTask", "PatchingPatch")["TaskInvocationParameters"][
         "MaintenanceWindowRunCommandParameters"].update(Parameters={"Operation": ["Scan"]})),
    ("custom resource function logging nowhere kept", "LambdaLogsRetained", "Network",
     "Network/Custom::VpcRestrictDefaultSGCustomResourceProvider/Handler",
     lambda t: _props(t, "AWS::Lambda::Function", "CustomVpcRestrictDefaultSGCustomResourceProviderHandler").pop(
         "LoggingConfig")),
    ("backup audit framework removed", "BackupAuditFramework", "Data", "Data/Backup/Plan/Resource",
     lambda t: _remove(t, "AWS::Backup::Framework", "BackupFramework")),
    ("backups into the default vault", "BackupPlanDailyRetention", "Data", "Data/Backup/Plan/Resource",
     lambda t: _props(t, "AWS::Backup::BackupPlan", "BackupPlan")["BackupPlan"]["BackupPlanRule"][0].update(
         TargetBackupVault="Default")),
    ("backup copies in Tokyo itself", "BackupCopyInJapan", "Data", "Data/Backup/Plan/Resource",
     lambda t: _props(t, "AWS::Backup::BackupPlan", "BackupPlan")["BackupPlan"]["BackupPlanRule"][0].update(
         CopyActions=[{"DestinationBackupVaultArn": "arn:aws:backup:ap-northeast-1:123456789012:backup-vault:x",
                       "Lifecycle": {"DeleteAfterDays": 7}}])),
    ("liveness canary removed", "LivenessMonitored", "Operations", "Edge/Entry/Distribution/Resource",
     lambda t: _remove(t, "AWS::Synthetics::Canary", "MonitoringCanary")),
    ("status checks not watched", "ServerStateMonitored", "Operations", "Application/Servers/Group/ASG",
     lambda t: _remove(t, "AWS::CloudWatch::Alarm", "MonitoringStatusCheckFailed")),
    ("edge web ACL blocks unwatched", "AttackMonitoring", "Edge", "Edge/Firewall/WebAcl",
     lambda t: _remove(t, "AWS::CloudWatch::Alarm", "AlertsBlockedRequests")),
    ("Security Hub findings mailed nowhere", "IncidentsRouted", "Operations", "Security/Posture/Hub",
     lambda t: _remove(t, "AWS::Events::Rule", "IncidentsSecurityHubFindings")),
    ("failed backups mailed nowhere", "IncidentsRouted", "Operations", "Data/Backup/Vault/Resource",
     lambda t: _remove(t, "AWS::Events::Rule", "IncidentsBackupFailures")),
    ("edge alerts reach nobody", "NotificationsDelivered", "Edge", "Edge/Alerts/Topic/Resource",
     lambda t: _remove(t, "AWS::SNS::Subscription", "AlertsTopic")),
    ("load balancer logs kept a month", "LogBucketRetained", "Application", "Application/LoadBalancerLogs/Resource",
     lambda t: _props(t, "AWS::S3::Bucket", "LoadBalancerLogs")["LifecycleConfiguration"]["Rules"][0].update(
         ExpirationInDays=30)),
    ("CloudFront accepting TLS 1.0", "CloudFrontTls", "Edge", "Edge/Entry/Distribution/Resource",
     lambda t: _props(t, "AWS::CloudFront::Distribution", "EntryDistribution")["DistributionConfig"][
         "ViewerCertificate"].update(MinimumProtocolVersion="TLSv1")),
    # issue 6: identities, privileged access, tenant data removal
    ("administrators' MFA optional", "CognitoAdminMfa", "Identity", "Identity/UserPools/Administrators/Resource",
     lambda t: _props(t, "AWS::Cognito::UserPool", "UserPoolsAdministrators").update(MfaConfiguration="OPTIONAL")),
    ("administrators' passwords as short as users'", "CognitoAdminPoolStronger", "Identity",
     "Identity/UserPools/Administrators/Resource",
     lambda t: _props(t, "AWS::Cognito::UserPool", "UserPoolsAdministrators")["Policies"]["PasswordPolicy"].update(
         MinimumLength=10)),
    ("administrators' temporary passwords for a week", "CognitoAdminPoolStronger", "Identity",
     "Identity/UserPools/Administrators/Resource",
     lambda t: _props(t, "AWS::Cognito::UserPool", "UserPoolsAdministrators")["Policies"]["PasswordPolicy"].update(
         TemporaryPasswordValidityDays=7)),
    ("flow log role unbounded", "RolePermissionsBoundary", "Network", "Network/ServiceVpc/FlowLogRole/Resource",
     lambda t: _props(t, "AWS::IAM::Role", "ServiceVpcFlowLogRole7").pop("PermissionsBoundary")),
    ("boundary lets roles create roles", "RolePermissionsBoundary", "Data", "Data/Backup/Role/Resource",
     lambda t: _props(t, "AWS::IAM::ManagedPolicy", "PermissionsBoundary")["PolicyDocument"]["Statement"][1].update(
         Action=["iam:Tag*"])),
    ("backup role given everything", "NoWildcardAdminPolicy", "Data", "Data/Backup/Role/Permissions",
     lambda t: _props(t, "AWS::IAM::ManagedPolicy", "BackupRolePermissions")["PolicyDocument"]["Statement"].append(
         {"Effect": "Allow", "Action": "*", "Resource": "*"})),
    ("database passwords only", "RdsIamAuthentication", "Data", "Data/Records/Cluster/Resource",
     lambda t: _props(t, "AWS::RDS::DBCluster", "RecordsCluster").update(EnableIAMDatabaseAuthentication=False)),
    ("offboarded tenants kept", "OffboardedTenantDataExpires", "Data", "Data/TeachingMaterials/Resource",
     lambda t: _props(t, "AWS::S3::Bucket", "TeachingMaterials")["LifecycleConfiguration"].update(Rules=[])),
    ("user pool unclassified", "DataClassificationTag", "Identity", "Identity/UserPools/Users/Resource",
     lambda t: _props(t, "AWS::Cognito::UserPool", "UserPoolsUsers")["UserPoolTags"].pop("DataClassification")),
]


def _operations_key_output(template: dict) -> str:
    text = json.dumps(template)
    start = text.index("PublishOutputFnGetAttKeysOperations")
    return text[start:text.index('"', start)]


def _key_statement(template: dict, key_prefix: str, sid: str) -> dict:
    statements = _props(template, "AWS::KMS::Key", key_prefix)["KeyPolicy"]["Statement"]
    return next(statement for statement in statements if statement.get("Sid") == sid)


def _endpoint(template: dict, vpc_prefix: str, service: str) -> dict:
    return next(r["Properties"] for k, r in template["Resources"].items()
                if r["Type"] == "AWS::EC2::VPCEndpoint" and k.startswith(vpc_prefix)
                and str(r["Properties"]["ServiceName"]).endswith(f".{service}"))


@pytest.fixture(scope="module")
def baseline(default_assembly):
    assembly = CloudAssembly.load(default_assembly)
    return {rule: {e.resource.path: e.status for e in evaluate(assembly, [RULES[rule]])} for rule in RULES}


@pytest.mark.parametrize(("name", "rule", "stack", "expected", "mutate"), CASES, ids=[case[0] for case in CASES])
def test_removing_a_protection_is_caught(default_assembly, baseline, tmp_path, name, rule, stack, expected, mutate):
    copy = tmp_path / "cdk.out"
    shutil.copytree(default_assembly, copy)
    template_file = copy / f"{stack}.template.json"
    template = json.loads(template_file.read_text())
    mutate(template)
    template_file.write_text(json.dumps(template))
    before = baseline[rule]
    assert set(before.values()) <= {Status.COMPLIANT, Status.ACKNOWLEDGED}, (rule, before)
    after = {e.resource.path: e.status for e in evaluate(CloudAssembly.load(copy), [RULES[rule]])}
    newly_violated = {path for path, status in after.items()
                      if status is Status.VIOLATED and before.get(path) is not Status.VIOLATED}
    assert any(path.startswith(expected) for path in newly_violated), (
        f"{name}: {rule} did not flag {expected} as violated ({after})")


def test_every_rule_guards_something_in_the_default_app(baseline):
    unused = {"NoIamUsers", "NetworkLinkApproved", "ApiGatewayTls", "BackupCopyInJapan", "PipelineGatedDelivery"}
    for rule in set(RULES) - unused:
        assert baseline[rule], f"{rule} evaluates nothing in the default app"
    assert not baseline["NoIamUsers"] and not baseline["NetworkLinkApproved"]
