from __future__ import annotations

from typing import Any

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_s3 as s3
from constructs import Construct

from config import EnvironmentSettings
from constructs_lib import (
    ApplicationServers,
    AutoScalingServiceRole,
    DataClassKeys,
    LoadBalancerLogsBucket,
    NotificationTopic,
    OperatorRole,
    PublicLoadBalancer,
    ServiceVpc,
    SessionManagerLogging,
    WebApplicationFirewall,
    acknowledge,
)
from constructs_lib.buckets import NO_REPLICATION_REASON, REPLICATION_RULES
from constructs_lib.monitoring import ServerMetricsAgent
from stacks.environment_stack import EnvironmentStack


class ApplicationStack(EnvironmentStack):
    """The service's entry point and servers: WAF, load balancer, hardened Auto Scaling group,
    Session Manager as the only way in, and the security groups chaining the tiers."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: EnvironmentSettings, vpc: ServiceVpc,
                 keys: DataClassKeys, access_logs: s3.IBucket, notifications: NotificationTopic,
                 auto_scaling_role: AutoScalingServiceRole, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, settings=settings, name="application",
                         description="tomoLinks ISO/IEC 27017 application tier: WAF, load balancer, servers",
                         **kwargs)
        prefix = settings.name_prefix
        self.load_balancer_logs = LoadBalancerLogsBucket(self, "LoadBalancerLogs", access_logs=access_logs,
                                                         retention_days=settings.log_retention_days)
        acknowledge(self.load_balancer_logs, NO_REPLICATION_REASON, *REPLICATION_RULES)
        self.entry = PublicLoadBalancer(
            self, "Entry", vpc=vpc, subnets=vpc.public_subnets_selection,
            certificate_arn=settings.certificate_arn, access_logs=self.load_balancer_logs,
        )
        self.firewall = WebApplicationFirewall(
            self, "Firewall", name=f"{prefix}-entry", rate_limit=settings.waf_rate_limit,
            log_key=keys.operations, log_retention_days=settings.log_retention_days,
        )
        self.firewall.protect("ProtectsEntry", self.entry.load_balancer.load_balancer_arn)
        acknowledge(
            self.entry.redirect,
            "This listener only answers plain HTTP with a permanent redirect to HTTPS (Security Hub "
            "ELB.1); it serves no content, so it has no certificate.",
            "NIST.800.53.R5-ELBv2ACMCertificateRequired", "HIPAA.Security-ELBv2ACMCertificateRequired",
        )
        self.servers = ApplicationServers(
            self, "Servers", vpc=vpc, subnet_group="Application", instance_type=settings.instance_type,
            min_capacity=settings.app_min_capacity, max_capacity=settings.app_max_capacity,
            port=settings.application_port, volume_key=keys.customer, notifications=notifications,
            auto_scaling_role=auto_scaling_role,
        )
        acknowledge(
            self.entry.load_balancer,
            f"This load balancer is CloudFront's origin {settings.origin_domain_name}, a DNS record kept outside this "
            f"app; the liveness canary on https://{settings.domain_name}/health goes through CloudFront to this "
            "listener and the servers behind it, and requests sent to it directly meet the same listener and "
            "targets, which the unhealthy-target and 5XX alarms watch.",
            "ISO27017-LivenessMonitored",
        )
        self.target_group = self.entry.route_to("Servers", [self.servers.group], port=settings.application_port)
        self.metrics_agent = ServerMetricsAgent(self, "MetricsAgent", prefix=prefix)
        self.servers.launch_template.user_data.add_commands(*self.metrics_agent.commands)
        self.metrics_agent.grant(self.servers.role)
        self.database_security_group = ec2.SecurityGroup(
            self, "DatabaseSecurityGroup", vpc=vpc, allow_all_outbound=False,
            description="Databases: only the application servers, only on the database port",
        )
        self.servers.allow_to(self.database_security_group, settings.database_port,
                              "Application servers to the databases")
        self.sessions = SessionManagerLogging(
            self, "Sessions", key=keys.operations, log_retention_days=settings.log_retention_days,
        )
        self.sessions.grant_instance(self.servers.role)
        identity_center = settings.operator_access == "identity-center"
        self.operator_role = OperatorRole(
            self, "OperatorRole", sessions=self.sessions,
            auto_scaling_group_name=self.servers.group.auto_scaling_group_name,
            permission_set=settings.operator_permission_set if identity_center else None,
            identity_account=None if identity_center else settings.operator_identity_account,
        )
