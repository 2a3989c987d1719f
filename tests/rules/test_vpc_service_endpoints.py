from aws_cdk import aws_ec2 as ec2

from nag_rules import Status
from nag_rules.rules.vpc_service_endpoints import RULE
from tests.helpers import evaluations_of, new_stack, only

INTERFACES = {
    "Kms": ec2.InterfaceVpcEndpointAwsService.KMS,
    "Logs": ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
    "Ssm": ec2.InterfaceVpcEndpointAwsService.SSM,
    "SsmMessages": ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
    "Ec2Messages": ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
    "SecretsManager": ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
}
TIERS = [ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC),
         ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)]


def _vpc(stack, skip=(), s3_subnets=None, **interface_props):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, subnet_configuration=TIERS)
    vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3, subnets=s3_subnets)
    for name, service in INTERFACES.items():
        if name not in skip:
            vpc.add_interface_endpoint(name, service=service, **interface_props)
    return vpc


def test_noncompliance_1_no_endpoints():
    stack = new_stack()
    ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, subnet_configuration=TIERS)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("no VPC endpoint for s3, kms, logs")


def test_noncompliance_2_missing_kms():
    stack = new_stack()
    _vpc(stack, skip=("Kms",))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "no VPC endpoint for kms: that traffic leaves the VPC"


def test_noncompliance_3_interface_endpoints_without_private_dns():
    stack = new_stack()
    _vpc(stack, private_dns_enabled=False)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("Test/Vpc/Kms/Resource: PrivateDnsEnabled = false: ")


def test_noncompliance_4_private_dns_absent_is_false_in_cloudformation():
    stack = new_stack()
    vpc = _vpc(stack, skip=("Kms",))
    ec2.CfnVPCEndpoint(stack, "Kms", vpc_id=vpc.vpc_id, vpc_endpoint_type="Interface",
                       service_name="com.amazonaws.ap-northeast-1.kms",
                       subnet_ids=vpc.select_subnets(subnet_group_name="Data").subnet_ids)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "Test/Kms: PrivateDnsEnabled = false (absent: CloudFormation's default)" in evaluation.evidence


def test_noncompliance_5_s3_gateway_without_the_data_subnets_route_tables():
    stack = new_stack()
    _vpc(stack, s3_subnets=[ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC)])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == (
        "Test/Vpc/S3/Resource: gateway without the route tables Test/Vpc/DataSubnet1/RouteTable "
        "(Test/Vpc/DataSubnet1/Subnet): those subnets reach the service outside the VPC")


def test_noncompliance_6_s3_gateway_with_no_route_tables():
    stack = new_stack()
    vpc = _vpc(stack)
    vpc.node.find_child("S3").node.default_child.add_property_deletion_override("RouteTableIds")
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "Test/Vpc/PublicSubnet1/RouteTable (Test/Vpc/PublicSubnet1/Subnet); " \
           "Test/Vpc/DataSubnet1/RouteTable (Test/Vpc/DataSubnet1/Subnet)" in evaluation.evidence


def test_compliance_1_every_service_usable():
    stack = new_stack()
    _vpc(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.startswith("s3 via Test/Vpc/S3/Resource (gateway on the route tables of all 2 subnets); "
                                          "kms via Test/Vpc/Kms/Resource (interface, PrivateDnsEnabled = true)")


def test_compliance_2_gateway_endpoints_may_split_the_route_tables():
    stack = new_stack()
    vpc = _vpc(stack, s3_subnets=[ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC)])
    vpc.add_gateway_endpoint("S3Data", service=ec2.GatewayVpcEndpointAwsService.S3,
                             subnets=[ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.startswith("s3 via Test/Vpc/S3/Resource (gateway (with Test/Vpc/S3Data/Resource) on "
                                          "the route tables of all 2 subnets)")
