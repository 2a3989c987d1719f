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


def _vpc(stack, skip=()):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3)
    for name, service in INTERFACES.items():
        if name not in skip:
            vpc.add_interface_endpoint(name, service=service)
    return vpc


def test_noncompliance_1_no_endpoints():
    stack = new_stack()
    ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence.startswith("no VPC endpoint for s3, kms, logs")


def test_noncompliance_2_missing_kms():
    stack = new_stack()
    _vpc(stack, skip=("Kms",))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "no VPC endpoint for kms: that traffic leaves the VPC"


def test_compliance_1_every_service():
    stack = new_stack()
    _vpc(stack)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
