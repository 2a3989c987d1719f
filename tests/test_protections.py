"""Removing any one protection from the default app is caught by the rule for it.

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


def _resource(template: dict, kind: str, path_part: str) -> dict:
    matches = [r for r in template["Resources"].values()
               if r["Type"] == kind and path_part in json.dumps(r.get("Properties", {})) + json.dumps(r.get("Metadata", {}))]
    if not matches:
        matches = [r for logical_id, r in template["Resources"].items() if r["Type"] == kind and path_part in logical_id]
    assert matches, (kind, path_part)
    return matches[0]


def _first(template: dict, kind: str) -> dict:
    return next(r for r in template["Resources"].values() if r["Type"] == kind)


def _remove(template: dict, kind: str, path_part: str = "") -> None:
    doomed = [k for k, r in template["Resources"].items() if r["Type"] == kind and path_part in k]
    assert doomed, (kind, path_part)
    del template["Resources"][doomed[0]]


def _launch_data(template: dict) -> dict:
    return _first(template, "AWS::EC2::LaunchTemplate")["Properties"]["LaunchTemplateData"]


def _servers_group(template: dict) -> dict:
    return next(r for r in template["Resources"].values() if r["Type"] == "AWS::EC2::SecurityGroup"
                and r["Properties"]["GroupDescription"].startswith("Application servers"))


def _session_inputs(template: dict) -> dict:
    return _first(template, "AWS::SSM::Document")["Properties"]["Content"]["inputs"]


Mutation = tuple[str, str, str, Callable[[dict], None]]
CASES: list[Mutation] = [
    ("flow log of rejected traffic only", "VpcFlowLogs", "Network",
     lambda t: _resource(t, "AWS::EC2::FlowLog", "ServiceVpc")["Properties"].update(TrafficType="REJECT")),
    ("flow log removed", "VpcFlowLogs", "Network", lambda t: _remove(t, "AWS::EC2::FlowLog", "ServiceVpc")),
    ("DHCP options without Time Sync", "VpcTimeSync", "Network",
     lambda t: _resource(t, "AWS::EC2::DHCPOptions", "ServiceVpc")["Properties"].update(NtpServers=["10.0.0.2"])),
    ("DHCP association removed", "VpcTimeSync", "Network",
     lambda t: _remove(t, "AWS::EC2::VPCDHCPOptionsAssociation", "ServiceVpc")),
    ("default security group left open", "VpcDefaultSecurityGroupClosed", "Network",
     lambda t: _remove(t, "Custom::VpcRestrictDefaultSG", "ServiceVpc")),
    ("KMS endpoint removed", "VpcServiceEndpoints", "Network", lambda t: _remove(t, "AWS::EC2::VPCEndpoint", "ServiceVpcKms")),
    ("IMDSv1 allowed", "Imdsv2Required", "Application",
     lambda t: _launch_data(t)["MetadataOptions"].update(HttpTokens="optional")),
    ("metadata hop limit 2", "Imdsv2Required", "Application",
     lambda t: _launch_data(t)["MetadataOptions"].update(HttpPutResponseHopLimit=2)),
    ("root volume unencrypted", "EbsEncrypted", "Application",
     lambda t: _launch_data(t)["BlockDeviceMappings"][0]["Ebs"].update(Encrypted=False)),
    ("public IP on servers", "NoPublicIp", "Application",
     lambda t: _launch_data(t)["NetworkInterfaces"][0].update(AssociatePublicIpAddress=True)),
    ("SSH key pair", "NoKeyPair", "Application", lambda t: _launch_data(t).update(KeyName="operators")),
    ("chrony line dropped", "UserDataTimeSync", "Application",
     lambda t: _launch_data(t).update(UserData={"Fn::Base64": "#!/bin/bash\necho ready"})),
    ("SSH from the office", "NoRemoteAdminIngress", "Application",
     lambda t: _servers_group(t)["Properties"].setdefault("SecurityGroupIngress", []).append(
         {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "10.0.0.0/8"})),
    ("servers open to the internet", "SecurityGroupWorldIngress", "Application",
     lambda t: _servers_group(t)["Properties"].setdefault("SecurityGroupIngress", []).append(
         {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "CidrIp": "0.0.0.0/0"})),
    ("WAF association removed", "InternetEntryPointWaf", "Application",
     lambda t: _remove(t, "AWS::WAFv2::WebACLAssociation")),
    ("session logs not encrypted", "SessionManagerLogging", "Application",
     lambda t: _session_inputs(t).update(cloudWatchEncryptionEnabled=False)),
    ("session data not encrypted", "SessionManagerLogging", "Application",
     lambda t: _session_inputs(t).update(kmsKeyId="")),
    ("operator role without MFA", "MfaForHumanRoles", "Application",
     lambda t: next(r for r in t["Resources"].values() if r["Type"] == "AWS::IAM::Role" and "MultiFactorAuthPresent"
                    in json.dumps(r))["Properties"]["AssumeRolePolicyDocument"]["Statement"][0].pop("Condition")),
    ("an IAM user", "NoIamUsers", "Application",
     lambda t: t["Resources"].update(Operator={"Type": "AWS::IAM::User", "Properties": {}})),
    ("peering toward a customer network", "NetworkLinkApproved", "Network",
     lambda t: t["Resources"].update(ToSchool={"Type": "AWS::EC2::VPCPeeringConnection", "Properties": {
         "VpcId": {"Ref": next(k for k, r in t["Resources"].items() if r["Type"] == "AWS::EC2::VPC")},
         "PeerVpcId": "vpc-0123456789abcdef0"}})),
    ("flow log group kept a month", "LogGroupRetention", "Network",
     lambda t: _resource(t, "AWS::Logs::LogGroup", "ServiceVpcFlowLogs")["Properties"].update(RetentionInDays=30)),
    ("log archive on SSE-S3", "S3BucketKmsCmk", "Foundation",
     lambda t: _resource(t, "AWS::S3::Bucket", "LogArchive")["Properties"]["BucketEncryption"].update(
         ServerSideEncryptionConfiguration=[{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}])),
    ("log archive accepts TLS 1.0", "S3BucketTlsOnly", "Foundation",
     lambda t: [s for r in t["Resources"].values() if r["Type"] == "AWS::S3::BucketPolicy"
                for s in r["Properties"]["PolicyDocument"]["Statement"] if "NumericLessThan" in s.get("Condition", {})]
     [0]["Condition"]["NumericLessThan"].update({"s3:TlsVersion": 1.0})),
    ("key rotation off", "KmsKeyRotation", "Foundation",
     lambda t: _first(t, "AWS::KMS::Key")["Properties"].update(EnableKeyRotation=False)),
]


@pytest.fixture(scope="module")
def baseline(default_assembly):
    assembly = CloudAssembly.load(default_assembly)
    return {rule: {e.resource.path: e.status for e in evaluate(assembly, [RULES[rule]])} for rule in RULES}


@pytest.mark.parametrize(("name", "rule", "stack", "mutate"), CASES, ids=[case[0] for case in CASES])
def test_removing_a_protection_is_caught(default_assembly, baseline, tmp_path, name, rule, stack, mutate):
    copy = tmp_path / "cdk.out"
    shutil.copytree(default_assembly, copy)
    template_file = copy / f"{stack}.template.json"
    template = json.loads(template_file.read_text())
    mutate(template)
    template_file.write_text(json.dumps(template))
    before = baseline[rule]
    assert set(before.values()) <= {Status.COMPLIANT, Status.ACKNOWLEDGED}, (rule, before)
    after = {e.resource.path: e.status for e in evaluate(CloudAssembly.load(copy), [RULES[rule]])}
    caught = {path for path, status in after.items() if status in (Status.VIOLATED, Status.UNRESOLVED)}
    assert caught, f"{name}: {rule} did not notice ({after})"


def test_every_issue_3_rule_guards_something_in_the_default_app(baseline):
    for rule in ("VpcFlowLogs", "VpcTimeSync", "VpcDefaultSecurityGroupClosed", "VpcServiceEndpoints", "Imdsv2Required",
                 "EbsEncrypted", "NoPublicIp", "NoKeyPair", "UserDataTimeSync", "NoRemoteAdminIngress",
                 "SecurityGroupWorldIngress", "InternetEntryPointWaf", "SessionManagerLogging", "MfaForHumanRoles"):
        assert baseline[rule], f"{rule} evaluates nothing in the default app"
    assert not baseline["NoIamUsers"] and not baseline["NetworkLinkApproved"]
