import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import ConfigurationError, environment_names, load_environment
from config.loader import DEFAULT_FILE

ROOT = Path(__file__).resolve().parent.parent
VALID = {
    "account": "123456789012",
    "region": "ap-northeast-1",
    "availability_zones": ["ap-northeast-1a", "ap-northeast-1c"],
    "name_prefix": "tomolinks-test",
    "log_retention_days": 365,
    "security_contact_emails": ["security@example.com"],
    "certificate_arn": "arn:aws:acm:ap-northeast-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
    "edge_certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/11111111-1111-1111-1111-111111111111",
}


def _toml_value(value):
    if isinstance(value, dict):
        return "{ " + ", ".join(f'"{k}" = {_toml_value(v)}' for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def write_env(tmp_path, name="test", **overrides):
    fields = {**VALID, **overrides}
    lines = [f"[{name}]"] + [f"{key} = {_toml_value(value)}" for key, value in fields.items() if value is not None]
    path = tmp_path / "environments.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def problems(path, name="test"):
    with pytest.raises(ConfigurationError) as caught:
        load_environment(name, path)
    return caught.value.problems


def test_embedded_default_is_valid_and_in_japan():
    settings = load_environment()
    assert settings.region == "ap-northeast-1"
    assert settings.account == "123456789012"
    assert settings.log_retention_days >= 365
    assert "default" in environment_names()


def test_embedded_default_marks_its_placeholders_as_examples():
    text = DEFAULT_FILE.read_text(encoding="utf-8")
    assert "EXAMPLE" in text
    settings = load_environment()
    assert all(address.endswith("@example.com") for address in settings.security_contact_emails)
    assert settings.certificate_arn.endswith("00000000-0000-0000-0000-000000000000")


def test_valid_environment_loads(tmp_path):
    settings = load_environment("test", write_env(tmp_path))
    assert settings.name_prefix == "tomolinks-test"


@pytest.mark.parametrize(("overrides", "field", "fragments"), [
    ({"region": "us-east-1"}, "test.region", ["'us-east-1'", "ap-northeast-1 or ap-northeast-3", "clause 6.1.3"]),
    ({"region": "ap-southeast-1"}, "test.region", ["region outside Japan", "clause 6.1.3"]),
    ({"account": "12345"}, "test.account", ["'12345'", "12-digit"]),
    ({"account": 123456789012}, "test.account", ["123456789012", "valid string"]),
    ({"availability_zones": ["ap-northeast-1a"]}, "test.availability_zones", ["2 to 3 distinct zones", "clause 6.1.3"]),
    ({"availability_zones": ["us-east-1a", "us-east-1b"]}, "test.availability_zones", ["not a zone of a Japanese region"]),
    ({"availability_zones": ["ap-northeast-3a", "ap-northeast-3b"]}, "test.availability_zones",
     ["not in region ap-northeast-1"]),
    ({"name_prefix": "Tomo_Links"}, "test.name_prefix", ["lowercase letters"]),
    ({"log_retention_days": 30}, "test.log_retention_days", ["30", "365, 400", "clause 12.4.1"]),
    ({"log_retention_days": 500}, "test.log_retention_days", ["not a CloudWatch value", "clause 12.4.1"]),
    ({"log_retention_days": "365"}, "test.log_retention_days", ["valid integer", "clause 12.4.1"]),
    ({"security_contact_emails": []}, "test.security_contact_emails", ["need 1 to 10", "clause 16.1.1"]),
    ({"security_contact_emails": ["not-an-address"]}, "test.security_contact_emails", ["not an e-mail address"]),
    ({"certificate_arn": "arn:aws:acm:ap-northeast-1:123:cert"}, "test.certificate_arn",
     ["not an ACM certificate ARN", "clause 10.1.1"]),
    ({"certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"},
     "test.certificate_arn", ["must be in ap-northeast-1 of account 123456789012", "clause 10.1.1"]),
    ({"tags": {"DataClassification": "customer"}}, "test.tags", ["set per resource by the constructs"]),
    ({"tags": {"aws:createdBy": "me"}}, "test.tags", ["invalid tag key"]),
    ({"colour": "blue"}, "test.colour", ["unknown field", "one of the fields description, account"]),
    ({"region": None}, "test.region", ["(missing)", "required field is missing", "clause 6.1.3"]),
    ({"service_vpc_cidr": "10.10.0.0/33"}, "test.service_vpc_cidr", ["not an IPv4 CIDR", "clause 13.1.3"]),
    ({"service_vpc_cidr": "8.8.0.0/16"}, "test.service_vpc_cidr", ["not a private range", "clause 13.1.3"]),
    ({"management_vpc_cidr": "10.10.128.0/17"}, "test.management_vpc_cidr",
     ["overlaps service_vpc_cidr 10.10.0.0/16", "clause 13.1.3"]),
    ({"service_vpc_cidr": "10.10.0.0/22"}, "test.service_vpc_cidr",
     ["too small for Public /24, Application /22, Data /24 in 2 zones: use /20 or larger", "clause 13.1.3"]),
    ({"service_vpc_cidr": "10.10.0.0/20", "availability_zones": ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]},
     "test.service_vpc_cidr", ["in 3 zones: use /19 or larger"]),
    ({"nat_gateways": 3}, "test.nat_gateways", ["more than the 2 availability_zones"]),
    ({"backup_vault_lock_mode": "strict"}, "test.backup_vault_lock_mode", ["governance or compliance", "clause 12.3.1"]),
    ({"backup_copy_region": "us-west-2"}, "test.backup_copy_region", ["region outside Japan", "clause 6.1.3"]),
    ({"backup_copy_region": "ap-northeast-1"}, "test.backup_copy_region", ["same as region", "clause 6.1.3"]),
    ({"account_security": "shared"}, "test.account_security", ["owned or external", "clause CLD.12.4.5"]),
    ({"operator_access": "iam-users"}, "test.operator_access", ["identity-center or identity-account", "clause 9.4.4"]),
    ({"operator_access": "identity-account"}, "test.operator_identity_account",
     ["required when operator_access = identity-account", "clause 9.4.4"]),
    ({"operator_identity_account": "210987654321"}, "test.operator_identity_account", ["and only then"]),
    ({"operator_permission_set": "no spaces please"}, "test.operator_permission_set", ["not a permission set name"]),
    ({"break_glass_permission_set": "TomoLinksOperators"}, "test.break_glass_permission_set",
     ["same as operator_permission_set", "clause 9.2.3"]),
    ({"admin_password_length": 15}, "test.admin_password_length", ["out of range", "16 to 99", "clause 9.2.4"]),
    ({"user_password_length": 9}, "test.user_password_length", ["out of range", "10 to 99", "clause 9.2.4"]),
    ({"user_password_length": 20}, "test.admin_password_length",
     ["shorter than user_password_length 20", "clause 9.2.4"]),
    ({"temporary_password_days": 7}, "test.temporary_password_days", ["out of range", "1 to 3", "clause 9.2.4"]),
    ({"application_port": 80}, "test.application_port", ["out of range", "1024 to 65535", "clause CLD.9.5.2"]),
    ({"database_port": 8080, "application_port": 8080}, "test.database_port", ["same as application_port"]),
    ({"app_min_capacity": 3, "app_max_capacity": 2}, "test.app_max_capacity", ["below app_min_capacity 3", "12.1.3"]),
    ({"waf_rate_limit": 50}, "test.waf_rate_limit", ["out of range", "clause CLD.9.5.2"]),
    ({"instance_type": "huge"}, "test.instance_type", ["not an EC2 instance type"]),
    ({"edge_certificate_arn": "arn:aws:acm:ap-northeast-1:123456789012:certificate/11111111-1111-1111-1111-111111111111"},
     "test.edge_certificate_arn", ["CloudFront only uses certificates in us-east-1", "clause 10.1.1"]),
    ({"edge_certificate_arn": "arn:aws:acm:us-east-1:210987654321:certificate/11111111-1111-1111-1111-111111111111"},
     "test.edge_certificate_arn", ["must be in account 123456789012"]),
    ({"domain_name": "not a name"}, "test.domain_name", ["not a DNS name"]),
    ({"origin_domain_name": "learn.example.com"}, "test.origin_domain_name", ["must differ from domain_name"]),
    ({"edge_allowed_countries": ["jp"]}, "test.edge_allowed_countries", ["not an ISO 3166 alpha-2 code", "CLD.9.5.2"]),
    ({"audit_acknowledgements": [{"check": "s3-kms", "resource": "arn:aws:s3:::logs",
                                  "reason": "Access logs only go to buckets with SSE-S3 encryption."}]},
     "test.audit_acknowledgements[0].check", ["not an audit check id"]),
    ({"audit_acknowledgements": [{"check": "S3DefaultEncryptionKms", "resource": "*",
                                  "reason": "Access logs only go to buckets with SSE-S3 encryption."}]},
     "test.audit_acknowledgements[0].resource", ["must name something"]),
    ({"audit_acknowledgements": [{"check": "S3DefaultEncryptionKms", "resource": "arn:aws:s3:::logs",
                                  "reason": "fine"}]},
     "test.audit_acknowledgements[0].reason", ["at least one full sentence"]),
    ({"network_links": [{"path": "no spaces allowed", "reason": "A partner school reaches the API over this link."}]},
     "test.network_links[0].path", ["not a construct path", "clause 13.1.3"]),
    ({"network_links": [{"path": "Network/ServiceVpc/ToPartner", "reason": "needed"}]},
     "test.network_links[0].reason", ["at least one full sentence", "clause 13.1.3"]),
])
def test_each_problem_is_one_line_naming_field_value_allowed_and_clause(tmp_path, overrides, field, fragments):
    (problem,) = problems(write_env(tmp_path, **overrides))
    line = problem.line()
    assert "\n" not in line
    assert problem.field == field
    assert line.startswith(f"{tmp_path / 'environments.toml'}: {field} = ")
    assert "; allowed: " in line
    for fragment in fragments:
        assert fragment in line


def test_every_problem_is_reported_at_once(tmp_path):
    found = problems(write_env(tmp_path, region="eu-west-1", account="x", log_retention_days=1))
    assert [p.field for p in found] == ["test.account", "test.region", "test.log_retention_days"]
    error = ConfigurationError(found)
    assert len(str(error).splitlines()) == 3


def test_unknown_environment_lists_the_known_ones(tmp_path):
    (problem,) = problems(write_env(tmp_path), name="production")
    assert problem.line() == (f"{tmp_path / 'environments.toml'}: env (-c env=NAME) = 'production': "
                              "unknown environment; allowed: test")


def test_invalid_toml_is_one_line(tmp_path):
    path = tmp_path / "environments.toml"
    path.write_text("[test\nregion = ", encoding="utf-8")
    (problem,) = problems(path)
    assert "not valid TOML" in problem.line()
    assert "\n" not in problem.line()


def test_missing_file(tmp_path):
    (problem,) = problems(tmp_path / "nope.toml")
    assert "file not found" in problem.line()


def test_app_stops_before_building_anything_on_invalid_configuration(tmp_path):
    config = write_env(tmp_path, region="us-east-1", log_retention_days=30)
    outdir = tmp_path / "cdk.out"
    env = {**os.environ, "CDK_OUTDIR": str(outdir),
           "CDK_CONTEXT_JSON": json.dumps({"env": "test", "config": str(config)})}
    result = subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert "test.region = 'us-east-1'" in lines[0] and "clause 6.1.3" in lines[0]
    assert "test.log_retention_days = 30" in lines[1] and "clause 12.4.1" in lines[1]
    assert "Traceback" not in result.stderr
    assert not outdir.exists() or not any(outdir.iterdir())


def _service_vpc(cidr, zones):
    import aws_cdk as cdk

    from constructs_lib.data_classification import DataClass
    from constructs_lib.keys import DataClassKey
    from constructs_lib.network import ServiceVpc

    stack = cdk.Stack(cdk.App(), "S", env=cdk.Environment(account="123456789012", region="ap-northeast-1"))
    key = DataClassKey(stack, "Key", data_class=DataClass.OPERATIONS, alias_prefix="test")
    return ServiceVpc(stack, "Vpc", cidr=cidr, zones=zones, nat_gateways=1, database_port=5432,
                      flow_log_key=key, log_retention_days=365)


@pytest.mark.parametrize("zones", [["ap-northeast-1a", "ap-northeast-1c"],
                                   ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]])
def test_the_smallest_accepted_service_vpc_is_the_smallest_cdk_can_build(zones):
    from config.settings import SERVICE_VPC_SUBNET_MASKS, addresses_needed

    smallest = 32 - (addresses_needed(SERVICE_VPC_SUBNET_MASKS, len(zones)) - 1).bit_length()
    assert len(_service_vpc(f"10.10.0.0/{smallest}", zones).data_subnets.subnets) == len(zones)
    with pytest.raises(RuntimeError, match="exceeds remaining space"):
        _service_vpc(f"10.10.0.0/{smallest + 1}", zones)
