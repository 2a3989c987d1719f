from __future__ import annotations

from typing import Any

from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3
from constructs import Construct

from config import EnvironmentSettings
from constructs_lib import DataClassKeys, NotificationTopic
from constructs_lib.monitoring import ServiceMonitoring
from constructs_lib.posture import IncidentRouting, PatchManagement
from stacks.environment_stack import EnvironmentStack


class OperationsStack(EnvironmentStack):
    """Day-to-day operation of the service: alarms on server state, liveness, attacks and capacity with
    a dashboard (CLD.12.4.5, 12.1.3), each alarm mailing the security contacts (16.1.2), the EventBridge rules
    that mail GuardDuty and Security Hub findings and failed backups to them (16.1.1, 16.1.2), and weekly
    patching of the servers (12.6.1)."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: EnvironmentSettings, keys: DataClassKeys,
                 access_logs: s3.IBucket, notifications: NotificationTopic,
                 auto_scaling_group: autoscaling.AutoScalingGroup, target_group: elbv2.ApplicationTargetGroup,
                 load_balancer: elbv2.ApplicationLoadBalancer, web_acl_name: str, database: rds.DatabaseCluster,
                 **kwargs: Any) -> None:
        super().__init__(scope, construct_id, settings=settings, name="operations",
                         description="tomoLinks ISO/IEC 27017 operations: alarms, liveness canary, dashboard, patching",
                         **kwargs)
        self.monitoring = ServiceMonitoring(
            self, "Monitoring", topic=notifications, auto_scaling_group=auto_scaling_group, target_group=target_group,
            load_balancer=load_balancer, web_acl_name=web_acl_name, database=database,
            endpoint_url=f"https://{settings.domain_name}/health", canary_bucket_key=keys.operations,
            access_logs=access_logs, name=settings.name_prefix,
        )
        self.incidents = IncidentRouting(self, "Incidents", topic=notifications, dead_letter_key=keys.operations)
        self.patching = PatchManagement(self, "Patching",
                                        auto_scaling_group_name=auto_scaling_group.auto_scaling_group_name)
