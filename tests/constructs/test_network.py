from aws_cdk import assertions as A

from constructs_lib import DataClass, DataClassKey, ManagementVpc, ServiceVpc
from tests.helpers import new_stack

ZONES = ["ap-northeast-1a", "ap-northeast-1c"]


def _service(stack, **overrides):
    key = DataClassKey(stack, "Key", data_class=DataClass.OPERATIONS, alias_prefix="p")
    props = dict(cidr="10.10.0.0/16", zones=ZONES, nat_gateways=1, database_port=5432, flow_log_key=key,
                 log_retention_days=365)
    props.update(overrides)
    return ServiceVpc(stack, "ServiceVpc", **props)


def test_service_vpc_has_three_tiers_in_the_configured_zones():
    stack = new_stack()
    _service(stack)
    template = A.Template.from_stack(stack)
    template.has_resource_properties("AWS::EC2::VPC", {"CidrBlock": "10.10.0.0/16", "EnableDnsHostnames": True})
    for name, kind in (("Public", "Public"), ("Application", "Private"), ("Data", "Isolated")):
        subnets = template.find_resources("AWS::EC2::Subnet", {"Properties": {"Tags": A.Match.array_with([
            {"Key": "aws-cdk:subnet-name", "Value": name}, {"Key": "aws-cdk:subnet-type", "Value": kind}])}})
        assert sorted(s["Properties"]["AvailabilityZone"] for s in subnets.values()) == ZONES
        assert all(s["Properties"]["MapPublicIpOnLaunch"] is False for s in subnets.values())
    template.resource_count_is("AWS::EC2::NatGateway", 1)


def test_flow_logs_of_all_traffic_to_a_retained_encrypted_log_group():
    stack = new_stack()
    _service(stack)
    template = A.Template.from_stack(stack)
    template.has_resource_properties("AWS::EC2::FlowLog", {
        "ResourceType": "VPC", "TrafficType": "ALL", "LogDestinationType": "cloud-watch-logs"})
    template.has_resource("AWS::Logs::LogGroup", {
        "Properties": A.Match.object_like({"RetentionInDays": 365, "KmsKeyId": A.Match.any_value()}),
        "DeletionPolicy": "RetainExceptOnCreate"})
    template.resource_count_is("AWS::IAM::Policy", 0)
    template.has_resource_properties("AWS::IAM::ManagedPolicy", {"Roles": [{"Ref": A.Match.string_like_regexp("FlowLogRole")}]})


def test_time_sync_dhcp_options_are_associated():
    stack = new_stack()
    _service(stack)
    template = A.Template.from_stack(stack)
    template.has_resource_properties("AWS::EC2::DHCPOptions", {
        "NtpServers": ["169.254.169.123"], "DomainNameServers": ["AmazonProvidedDNS"],
        "DomainName": "ap-northeast-1.compute.internal"})
    template.has_resource_properties("AWS::EC2::VPCDHCPOptionsAssociation", {
        "DhcpOptionsId": {"Ref": A.Match.string_like_regexp("TimeSync")},
        "VpcId": {"Ref": A.Match.string_like_regexp("ServiceVpc")}})


def test_endpoints_keep_aws_traffic_inside_and_accept_only_this_vpc():
    stack = new_stack()
    _service(stack)
    template = A.Template.from_stack(stack)
    names = [e["Properties"]["ServiceName"] for e in template.find_resources("AWS::EC2::VPCEndpoint").values()]
    for service in ("kms", "logs", "ssm", "ssmmessages", "ec2messages", "secretsmanager"):
        assert f"com.amazonaws.ap-northeast-1.{service}" in names
    template.has_resource_properties("AWS::EC2::SecurityGroup", {
        "GroupDescription": "AWS service endpoints: HTTPS from inside this VPC only",
        "SecurityGroupIngress": [A.Match.object_like({"CidrIp": "10.10.0.0/16", "FromPort": 443, "ToPort": 443})]})


def test_data_subnets_admit_only_the_application_subnets_on_the_database_port():
    stack = new_stack()
    vpc = _service(stack, database_port=5433)
    template = A.Template.from_stack(stack)
    application = sorted(s.ipv4_cidr_block for s in vpc.application_subnets.subnets)
    inbound = template.find_resources("AWS::EC2::NetworkAclEntry", {"Properties": {"Egress": False}})
    assert sorted(e["Properties"]["CidrBlock"] for e in inbound.values()) == application
    assert {(e["Properties"]["PortRange"]["From"], e["Properties"]["PortRange"]["To"]) for e in inbound.values()} == {
        (5433, 5433)}
    template.resource_count_is("AWS::EC2::SubnetNetworkAclAssociation", len(ZONES))


def test_default_security_group_is_closed():
    stack = new_stack()
    _service(stack)
    A.Template.from_stack(stack).resource_count_is("Custom::VpcRestrictDefaultSG", 1)


def test_management_vpc_has_no_internet_path():
    stack = new_stack()
    key = DataClassKey(stack, "Key", data_class=DataClass.OPERATIONS, alias_prefix="p")
    ManagementVpc(stack, "ManagementVpc", cidr="10.20.0.0/16", zones=ZONES, flow_log_key=key, log_retention_days=365)
    template = A.Template.from_stack(stack)
    template.resource_count_is("AWS::EC2::InternetGateway", 0)
    template.resource_count_is("AWS::EC2::NatGateway", 0)
    template.resource_count_is("AWS::EC2::Route", 0)
    template.has_resource_properties("AWS::EC2::VPCEndpoint", {"ServiceName": "com.amazonaws.ap-northeast-1.ssm"})
