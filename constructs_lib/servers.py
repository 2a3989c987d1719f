"""Hardened application servers (CLD.9.5.2): IMDSv2 only, no public address, no key pair, encrypted
volumes, reachable only through Session Manager (9.4.4), clocks on Amazon Time Sync (12.4.4)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct

from constructs_lib.acknowledgements import acknowledge
from constructs_lib.data_classification import classify
from constructs_lib.iam import AutoScalingServiceRole, ManagedPolicyRole
from constructs_lib.keys import DataClassKey
from constructs_lib.notifications import NotificationTopic
from nag_rules.standards import CHRONY_TIME_SYNC

TIME_SYNC_COMMANDS = (
    f"echo '{CHRONY_TIME_SYNC}' > /etc/chrony.d/amazon-time-sync.sources",
    "chronyc reload sources",
)
"""Amazon Linux 2023 reads extra sources from /etc/chrony.d/*.sources."""


TARGET_CPU_PERCENT = 60
"""Average CPU the group scales to hold (12.1.3), under the 80 % the capacity alarms watch."""


BOOT_PATCH_COMMANDS = (
    "dnf -y upgrade --security --refresh || echo 'security updates failed at boot; the patch window retries'",
)
"""A server that replaces one (scaling, or the health check during a patch reboot) starts patched (12.6.1)."""


class ApplicationServers(Construct):
    """An Auto Scaling group of hardened servers in the application subnets.

    ``security_group`` accepts nothing until ``allow_from`` names the one peer (the load balancer)
    that may reach ``port``; it may send only HTTPS out (AWS endpoints, updates through NAT) and
    whatever ``allow_to`` adds.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        subnet_group: str,
        instance_type: str,
        min_capacity: int,
        max_capacity: int,
        port: int,
        volume_key: DataClassKey,
        notifications: NotificationTopic,
        auto_scaling_role: AutoScalingServiceRole,
    ) -> None:
        super().__init__(scope, construct_id)
        self.port = port
        self.security_group = ec2.SecurityGroup(
            self, "SecurityGroup", vpc=vpc, allow_all_outbound=False,
            description="Application servers: only the load balancer, only on the application port",
        )
        self.security_group.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443),
                                            "HTTPS to AWS endpoints and package updates")
        self.role = ManagedPolicyRole(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
            description="Application servers: Session Manager access and what the application needs",
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("AmazonSSMManagedInstanceCore")],
        )
        acknowledge(
            self.role,
            "AmazonSSMManagedInstanceCore is the AWS-maintained minimum for the SSM agent and Session "
            "Manager, the only way onto these servers (9.4.4); AWS keeps it in step with the agent.",
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]",
        )
        user_data = ec2.UserData.for_linux()
        user_data.add_commands("set -euo pipefail", *TIME_SYNC_COMMANDS, *BOOT_PATCH_COMMANDS)
        volume_key.allow_auto_scaling(auto_scaling_role)
        volume_key.allow_volume_scanners()
        notifications.key.allow_auto_scaling(auto_scaling_role)
        self.launch_template = ec2.LaunchTemplate(
            self,
            "LaunchTemplate",
            machine_image=ec2.MachineImage.latest_amazon_linux2023(),
            instance_type=ec2.InstanceType(instance_type),
            role=self.role,
            security_group=self.security_group,
            user_data=user_data,
            require_imdsv2=True,
            http_tokens=ec2.LaunchTemplateHttpTokens.REQUIRED,
            http_put_response_hop_limit=1,
            associate_public_ip_address=False,
            detailed_monitoring=True,
            block_devices=[ec2.BlockDevice(
                device_name="/dev/xvda",
                volume=ec2.BlockDeviceVolume.ebs(
                    20, encrypted=True, kms_key=volume_key, volume_type=ec2.EbsDeviceVolumeType.GP3,
                    delete_on_termination=True,
                ),
            )],
        )
        classify(self.launch_template, volume_key.data_class)
        self.group = autoscaling.AutoScalingGroup(
            self,
            "Group",
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_group_name=subnet_group),
            launch_template=self.launch_template,
            min_capacity=min_capacity,
            max_capacity=max_capacity,
            health_checks=autoscaling.HealthChecks.with_additional_checks(
                additional_types=[autoscaling.AdditionalHealthCheckType.ELB],
                grace_period=cdk.Duration.minutes(5),
            ),
            group_metrics=[autoscaling.GroupMetrics.all()],
            notifications=[autoscaling.NotificationConfiguration(topic=notifications)],
        )
        self.group.scale_on_cpu_utilization("ScaleOnCpu", target_utilization_percent=TARGET_CPU_PERCENT)
        group = self.group.node.default_child
        assert isinstance(group, autoscaling.CfnAutoScalingGroup)
        group.service_linked_role_arn = auto_scaling_role.role_arn

    def allow_from(self, peer: ec2.IConnectable, description: str) -> None:
        self.security_group.connections.allow_from(peer, ec2.Port.tcp(self.port), description)

    def allow_to(self, peer: ec2.IConnectable, port: int, description: str) -> None:
        self.security_group.connections.allow_to(peer, ec2.Port.tcp(port), description)
