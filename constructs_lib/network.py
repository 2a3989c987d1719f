"""VPCs separated by use (13.1.3): flow logs of all traffic, Amazon Time Sync (12.4.4), private
endpoints for AWS services, a closed default security group."""

from __future__ import annotations

from typing import Any, Sequence

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct

from config.settings import MANAGEMENT_VPC_SUBNET_MASKS, SERVICE_VPC_SUBNET_MASKS
from constructs_lib.acknowledgements import acknowledge
from constructs_lib.iam import ManagedPolicyRole
from constructs_lib.keys import DataClassKey
from constructs_lib.log_group import RetainedLogGroup
from nag_rules.standards import TIME_SYNC_IPV4

MASKS = dict(SERVICE_VPC_SUBNET_MASKS + MANAGEMENT_VPC_SUBNET_MASKS)

INTERFACE_ENDPOINTS = {
    "Kms": ec2.InterfaceVpcEndpointAwsService.KMS,
    "Logs": ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
    "Ssm": ec2.InterfaceVpcEndpointAwsService.SSM,
    "SsmMessages": ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
    "Ec2Messages": ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
    "SecretsManager": ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
}
"""AWS services whose traffic stays inside every VPC (S3 goes through a gateway endpoint)."""


class HardenedVpc(ec2.Vpc):
    """A VPC whose every subnet uses Amazon Time Sync, whose traffic is all logged, whose default
    security group has no rules, and which reaches AWS services through private endpoints.

    Callers choose the subnets; the hardening is applied last and cannot be turned off.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cidr: str,
        zones: Sequence[str],
        subnets: Sequence[ec2.SubnetConfiguration],
        endpoint_subnets: str,
        flow_log_key: DataClassKey,
        log_retention_days: int,
        nat_gateways: int = 0,
        **vpc_props: Any,
    ) -> None:
        vpc_props.update(
            ip_addresses=ec2.IpAddresses.cidr(cidr),
            availability_zones=list(zones),
            subnet_configuration=list(subnets),
            nat_gateways=nat_gateways,
            restrict_default_security_group=True,
            enable_dns_hostnames=True,
            enable_dns_support=True,
        )
        super().__init__(scope, construct_id, **vpc_props)
        for subnet in [*self.public_subnets, *self.private_subnets, *self.isolated_subnets]:
            acknowledge(subnet, "The zones come from validated configuration on purpose: synthesis stays "
                                "deterministic and offline, and every zone is in the environment's Japanese region.",
                        "CloudFormation-Validate::W3010")
        self.flow_log_group = RetainedLogGroup(
            self, "FlowLogs", encryption_key=flow_log_key, retention_days=log_retention_days,
        )
        flow_log_role = ManagedPolicyRole(self, "FlowLogRole",
                                          assumed_by=iam.ServicePrincipal("vpc-flow-logs.amazonaws.com"))
        self.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(self.flow_log_group, flow_log_role),
            traffic_type=ec2.FlowLogTrafficType.ALL,
        )
        region = cdk.Stack.of(self).region
        self.time_sync = ec2.CfnDHCPOptions(
            self,
            "TimeSync",
            domain_name=f"{region}.compute.internal",
            domain_name_servers=["AmazonProvidedDNS"],
            ntp_servers=[TIME_SYNC_IPV4],
        )
        ec2.CfnVPCDHCPOptionsAssociation(
            self, "TimeSyncAssociation", vpc_id=self.vpc_id, dhcp_options_id=self.time_sync.ref,
        )
        self.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3)
        self.endpoint_security_group = ec2.SecurityGroup(
            self, "EndpointSecurityGroup", vpc=self, allow_all_outbound=False,
            description="AWS service endpoints: HTTPS from inside this VPC only",
        )
        self.endpoint_security_group.add_ingress_rule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), "HTTPS from this VPC")
        selection = ec2.SubnetSelection(subnet_group_name=endpoint_subnets)
        for name, service in INTERFACE_ENDPOINTS.items():
            self.add_interface_endpoint(name, service=service, subnets=selection, private_dns_enabled=True,
                                        security_groups=[self.endpoint_security_group], open=False)


class ServiceVpc(HardenedVpc):
    """The service network: the load balancer alone in public subnets, application servers in
    private subnets, data in isolated subnets that only the application subnets reach, and only
    on the database port."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cidr: str,
        zones: Sequence[str],
        nat_gateways: int,
        database_port: int,
        flow_log_key: DataClassKey,
        log_retention_days: int,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            cidr=cidr,
            zones=zones,
            nat_gateways=nat_gateways,
            subnets=[
                ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=MASKS["Public"],
                                        map_public_ip_on_launch=False),
                ec2.SubnetConfiguration(name="Application", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS,
                                        cidr_mask=MASKS["Application"]),
                ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED,
                                        cidr_mask=MASKS["Data"]),
            ],
            endpoint_subnets="Application",
            flow_log_key=flow_log_key,
            log_retention_days=log_retention_days,
        )
        self.add_gateway_endpoint("DynamoDb", service=ec2.GatewayVpcEndpointAwsService.DYNAMODB)
        reason = ("The public subnets hold only the internet-facing load balancer, which needs this route "
                  "(13.1.3); the application and data subnets have no route from the internet.")
        for subnet in self.public_subnets:
            acknowledge(subnet.node.find_child("DefaultRoute"), reason,
                        "NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW", "HIPAA.Security-VPCNoUnrestrictedRouteToIGW")
        self.database_port = database_port
        acl = ec2.NetworkAcl(self, "DataAcl", vpc=self, subnet_selection=ec2.SubnetSelection(subnet_group_name="Data"))
        entries = []
        for index, subnet in enumerate(self.application_subnets.subnets):
            peer = ec2.AclCidr.ipv4(subnet.ipv4_cidr_block)
            entries.append(acl.add_entry(
                f"FromApplication{index}", cidr=peer, rule_number=100 + index,
                traffic=ec2.AclTraffic.tcp_port(database_port), direction=ec2.TrafficDirection.INGRESS))
            entries.append(acl.add_entry(
                f"ToApplication{index}", cidr=peer, rule_number=100 + index,
                traffic=ec2.AclTraffic.tcp_port_range(1024, 65535), direction=ec2.TrafficDirection.EGRESS))
        for construct in (acl, *entries):
            acknowledge(construct, "The whitepaper's network separation (13.1.3) asks for this: the data subnets "
                                   "accept only the application subnets, only on the database port.",
                        "AwsSolutions-VPC3")

    @property
    def public_subnets_selection(self) -> ec2.SubnetSelection:
        return ec2.SubnetSelection(subnet_group_name="Public")

    @property
    def application_subnets(self) -> ec2.SelectedSubnets:
        return self.select_subnets(subnet_group_name="Application")

    @property
    def data_subnets(self) -> ec2.SelectedSubnets:
        return self.select_subnets(subnet_group_name="Data")


class ManagementVpc(HardenedVpc):
    """The operations network: isolated subnets only, no internet gateway, no inbound path."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cidr: str,
        zones: Sequence[str],
        flow_log_key: DataClassKey,
        log_retention_days: int,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            cidr=cidr,
            zones=zones,
            subnets=[ec2.SubnetConfiguration(name="Operations", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED,
                                             cidr_mask=MASKS["Operations"])],
            endpoint_subnets="Operations",
            flow_log_key=flow_log_key,
            log_retention_days=log_retention_days,
        )
