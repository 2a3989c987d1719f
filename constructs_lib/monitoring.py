"""Monitoring of the service (CLD.12.4.5, 12.1.3): the servers' state, the service's liveness, attacks on it
and the resources it uses, every alarm told to the notification topic; and the CloudWatch agent the servers
run to report their memory and disk."""

from __future__ import annotations

import hashlib

import json
import re

import aws_cdk as cdk
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_ssm as ssm
from aws_cdk import aws_synthetics as synthetics
from constructs import Construct

from constructs_lib.acknowledgements import acknowledge
from constructs_lib.notifications import NotificationTopic
from constructs_lib.buckets import NO_REPLICATION_REASON, REPLICATION_RULES, ClassifiedBucket
from constructs_lib.data_classification import DataClass, classify
from constructs_lib.iam import ManagedPolicyRole
from constructs_lib.keys import DataClassKey

AGENT_NAMESPACE = "CWAgent"
AGENT_CTL = "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl"
AGENT_CONFIG = {
    "agent": {"metrics_collection_interval": 60, "run_as_user": "cwagent"},
    "metrics": {
        "namespace": AGENT_NAMESPACE,
        "append_dimensions": {
            "AutoScalingGroupName": "${aws:AutoScalingGroupName}",
            "InstanceId": "${aws:InstanceId}",
        },
        "aggregation_dimensions": [["AutoScalingGroupName"]],
        "metrics_collected": {
            "mem": {"measurement": ["mem_used_percent"]},
            "disk": {"measurement": ["used_percent"], "resources": ["/"]},
        },
    },
}
"""Memory and root-disk use of each server, also aggregated per Auto Scaling group (the alarms' dimension)."""

UTILIZATION_PERCENT = 80
FREE_LOCAL_STORAGE_BYTES = 2 * 1024**3
ARTIFACT_RETENTION_DAYS = 365
"""Canary runs are monitoring records: kept 12 months, as logs are (12.4.1)."""
CANARY_PREFIX = "liveness"
CANARY_NAME_LENGTH = 21
"""Synthetics names the canary's Lambda function cwsyn-<name>-<uuid>, at most 64 characters."""
SYNTHETICS_NAMESPACE = "CloudWatchSynthetics"

HEARTBEAT = """\
const synthetics = require('Synthetics');

const expectSuccess = (res) => new Promise((resolve, reject) => {
  if (res.statusCode < 200 || res.statusCode > 399) {
    reject(new Error(`${res.statusCode} ${res.statusMessage}`));
    return;
  }
  res.on('data', () => {});
  res.on('end', resolve);
});

exports.handler = async () => {
  const url = new URL(process.env.ENDPOINT_URL);
  return await synthetics.executeHttpStep(`GET ${url.hostname}`, {
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port || 443,
    path: `${url.pathname}${url.search}`,
    method: 'GET',
    headers: {'User-Agent': synthetics.getCanaryUserAgentString()},
  }, expectSuccess, {
    includeRequestHeaders: false,
    includeResponseHeaders: false,
    includeRequestBody: false,
    includeResponseBody: false,
  });
};
"""
"""One GET of ENDPOINT_URL; any status outside 2xx/3xx, or no answer, fails the run. Headers and bodies stay
out of the artifacts."""


class ServerMetricsAgent(Construct):
    """What the application servers need to run the CloudWatch agent: its configuration in the SSM parameter
    ``/<prefix>/cloudwatch-agent``, the Amazon Linux 2023 ``commands`` that install and start it from there,
    and ``grant`` for the servers' role."""

    def __init__(self, scope: Construct, construct_id: str, *, prefix: str) -> None:
        super().__init__(scope, construct_id)
        self.parameter_name = f"/{prefix}/cloudwatch-agent"
        self.parameter = ssm.StringParameter(
            self, "Config", parameter_name=self.parameter_name, string_value=json.dumps(AGENT_CONFIG),
            description="CloudWatch agent configuration of the application servers (memory and disk)",
            tier=ssm.ParameterTier.STANDARD,
        )
        classify(self.parameter, DataClass.OPERATIONS)
        self.commands = (
            "dnf install -y amazon-cloudwatch-agent",
            f"{AGENT_CTL} -a fetch-config -m ec2 -s -c ssm:{self.parameter_name}",
        )
        self._policy: iam.ManagedPolicy | None = None

    def grant(self, role: iam.IRole) -> iam.ManagedPolicy:
        """Let ``role`` read the configuration, publish to CWAgent only, and read its instance's tags (the agent
        learns its Auto Scaling group from the aws:autoscaling:groupName tag; IMDS gives the instance ID)."""
        if self._policy is None:
            self._policy = iam.ManagedPolicy(
                self, "Permissions", description="CloudWatch agent: its configuration, CWAgent metrics, instance tags",
                statements=[
                    iam.PolicyStatement(sid="ReadAgentConfiguration", actions=["ssm:GetParameter"],
                                        resources=[self.parameter.parameter_arn]),
                    iam.PolicyStatement(sid="PublishAgentMetricsOnly", actions=["cloudwatch:PutMetricData"],
                                        resources=["*"],
                                        conditions={"StringEquals": {"cloudwatch:namespace": AGENT_NAMESPACE}}),
                    iam.PolicyStatement(sid="ReadInstanceTags", actions=["ec2:DescribeTags"], resources=["*"]),
                ],
            )
            acknowledge(
                self._policy,
                "cloudwatch:PutMetricData and ec2:DescribeTags have no resource-level permissions; publishing is "
                "limited to the CWAgent namespace by the cloudwatch:namespace condition, and DescribeTags only reads.",
                "AwsSolutions-IAM5[Resource::*]",
            )
        self._policy.attach_to_role(role)
        return self._policy


class ServiceMonitoring(Construct):
    """Alarms, a liveness canary and a dashboard for one service; every alarm and its return to OK go to
    ``topic``.

    - server state: failed EC2 status checks, fewer servers in service than the group's minimum, unhealthy
      targets, load balancer 5XX answers;
    - liveness: a canary GETs ``endpoint_url`` every 5 minutes and alarms below 100 % success;
    - attacks: requests blocked by the regional web ACL ``web_acl_name`` above ``blocked_requests_threshold``
      in 5 minutes;
    - resources and capacity: server CPU, memory and root disk (``ServerMetricsAgent``), database CPU, ACU,
      connections and each instance's free local storage.

    The servers' group must collect group metrics (``GroupInServiceInstances``).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        topic: sns.ITopic,
        auto_scaling_group: autoscaling.AutoScalingGroup,
        target_group: elbv2.ApplicationTargetGroup,
        load_balancer: elbv2.ApplicationLoadBalancer,
        web_acl_name: str,
        database: rds.DatabaseCluster,
        endpoint_url: str,
        canary_bucket_key: DataClassKey,
        access_logs: s3.IBucket,
        name: str,
        blocked_requests_threshold: int = 1000,
        database_connections_threshold: int = 500,
        load_balancer_5xx_threshold: int = 10,
        free_local_storage_bytes: int = FREE_LOCAL_STORAGE_BYTES,
    ) -> None:
        super().__init__(scope, construct_id)
        if not cdk.Token.is_unresolved(endpoint_url) and not endpoint_url.startswith("https://"):
            raise ValueError(f"{construct_id}: endpoint_url={endpoint_url!r}; allowed: an https:// URL")
        self.name = name
        self.alarms: list[cloudwatch.Alarm] = []
        self._action = cloudwatch_actions.SnsAction(topic)
        stack = cdk.Stack.of(self)
        allow_alarms_to_publish(topic, name)
        group = auto_scaling_group.auto_scaling_group_name
        by_group = {"AutoScalingGroupName": group}

        status_checks = cloudwatch.Metric(namespace="AWS/EC2", metric_name="StatusCheckFailed",
                                          dimensions_map=by_group, statistic="Maximum", period=cdk.Duration.minutes(1))
        self._alarm("StatusCheckFailed", status_checks, threshold=1, periods=2,
                    comparison=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                    description="A server failed its EC2 status checks for 2 minutes (12.4.5: server state).")
        minimum = _min_capacity(auto_scaling_group, construct_id)
        in_service = cloudwatch.Metric(namespace="AWS/AutoScaling", metric_name="GroupInServiceInstances",
                                       dimensions_map=by_group, statistic="Maximum", period=cdk.Duration.minutes(5))
        self._alarm("ServersInService", in_service, threshold=minimum, periods=2,
                    comparison=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                    missing=cloudwatch.TreatMissingData.BREACHING,
                    description=f"Fewer than {minimum} servers in service for 10 minutes (12.4.5: server state).")
        # By the balancer's own LoadBalancerFullName: target_group.metrics cuts it out of the listener's ARN, an
        # Fn::Split of a cross-stack Fn::GetStackOutput, which cfn-lint rejects (E1022).
        unhealthy = cloudwatch.Metric(
            namespace="AWS/ApplicationELB", metric_name="UnHealthyHostCount",
            dimensions_map={"TargetGroup": target_group.target_group_full_name,
                            "LoadBalancer": load_balancer.load_balancer_full_name},
            statistic="Minimum", period=cdk.Duration.minutes(5),
        )
        self._alarm("UnhealthyTargets", unhealthy, threshold=1, periods=2,
                    comparison=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                    description="A server failed the load balancer's health check for 10 minutes (12.4.5).")
        errors = load_balancer.metrics.http_code_elb(elbv2.HttpCodeElb.ELB_5XX_COUNT, statistic="Sum",
                                                     period=cdk.Duration.minutes(5))
        self._alarm("LoadBalancer5xx", errors, threshold=load_balancer_5xx_threshold, periods=1,
                    comparison=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                    missing=cloudwatch.TreatMissingData.NOT_BREACHING,
                    description=f"The load balancer answered {load_balancer_5xx_threshold} or more 5XX errors "
                                "in 5 minutes: no server could answer (12.4.5).")

        self.artifacts = ClassifiedBucket(
            self, "CanaryArtifacts", encryption_key=canary_bucket_key, access_logs=access_logs,
            lifecycle_rules=[s3.LifecycleRule(
                id="ExpireCanaryArtifacts",
                expiration=cdk.Duration.days(ARTIFACT_RETENTION_DAYS),
                noncurrent_version_expiration=cdk.Duration.days(1),
                abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
            )],
        )
        acknowledge(self.artifacts, NO_REPLICATION_REASON, *REPLICATION_RULES)
        canary_name = _canary_name(name)
        self.canary_role = self._canary_role(canary_name, canary_bucket_key)
        self.canary = synthetics.Canary(
            self,
            "Canary",
            canary_name=canary_name,
            runtime=synthetics.Runtime.SYNTHETICS_NODEJS_PUPPETEER_13_0,
            test=synthetics.Test.custom(code=synthetics.Code.from_inline(HEARTBEAT), handler="index.handler"),
            environment_variables={"ENDPOINT_URL": endpoint_url},
            schedule=synthetics.Schedule.rate(cdk.Duration.minutes(5)),
            timeout=cdk.Duration.minutes(1),
            role=self.canary_role,
            artifacts_bucket_location=synthetics.ArtifactsBucketLocation(bucket=self.artifacts, prefix=CANARY_PREFIX),
            artifact_s3_encryption_mode=synthetics.ArtifactsEncryptionMode.KMS,
            artifact_s3_kms_key=canary_bucket_key,
            success_retention_period=cdk.Duration.days(ARTIFACT_RETENTION_DAYS),
            failure_retention_period=cdk.Duration.days(ARTIFACT_RETENTION_DAYS),
            provisioned_resource_cleanup=True,
            resources_to_replicate_tags=[synthetics.ResourceToReplicateTags.LAMBDA_FUNCTION],
        )
        self.canary.node.add_dependency(self.canary_role)
        acknowledge(
            self.canary_role.permissions,
            "The canary uploads its artifacts with SSE-KMS under the artifacts key, for which CDK grants the "
            "encrypt actions on that one key.",
            "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]", "AwsSolutions-IAM5[Action::kms:ReEncrypt*]",
        )
        success = self.canary.metric_success_percent(period=cdk.Duration.minutes(5))
        self._alarm("Liveness", success, threshold=100, periods=2,
                    comparison=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                    missing=cloudwatch.TreatMissingData.BREACHING,
                    description=f"The liveness canary failed to GET {endpoint_url} for 10 minutes (12.4.5: liveness).")

        blocked = cloudwatch.Metric(
            namespace="AWS/WAFV2", metric_name="BlockedRequests",
            dimensions_map={"WebACL": web_acl_name, "Rule": "ALL", "Region": stack.region},
            statistic="Sum", period=cdk.Duration.minutes(5),
        )
        self._alarm("BlockedRequests", blocked, threshold=blocked_requests_threshold, periods=1,
                    comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    missing=cloudwatch.TreatMissingData.NOT_BREACHING,
                    description=f"AWS WAF blocked more than {blocked_requests_threshold} requests in 5 minutes: "
                                "a likely attack (12.4.5: attacks, 16.1.2).")

        def utilization(construct_id: str, metric: cloudwatch.IMetric, what: str) -> None:
            self._alarm(construct_id, metric, threshold=UTILIZATION_PERCENT, periods=3,
                        comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                        description=f"{what} above {UTILIZATION_PERCENT} % for 15 minutes (12.1.3: capacity).")

        five_minutes = cdk.Duration.minutes(5)
        cpu = cloudwatch.Metric(namespace="AWS/EC2", metric_name="CPUUtilization", dimensions_map=by_group,
                                statistic="Average", period=five_minutes)
        memory = cloudwatch.Metric(namespace=AGENT_NAMESPACE, metric_name="mem_used_percent", dimensions_map=by_group,
                                   statistic="Maximum", period=five_minutes)
        disk = cloudwatch.Metric(namespace=AGENT_NAMESPACE, metric_name="disk_used_percent", dimensions_map=by_group,
                                 statistic="Maximum", period=five_minutes)
        utilization("ServerCpu", cpu, "The servers' average CPU")
        utilization("ServerMemory", memory, "A server's memory use")
        utilization("ServerDisk", disk, "A server's root disk use")
        database_cpu = database.metric_cpu_utilization(statistic="Average", period=five_minutes)
        capacity = database.metric_acu_utilization(statistic="Average", period=five_minutes)
        utilization("DatabaseCpu", database_cpu, "The database's CPU")
        utilization("DatabaseCapacity", capacity, "The database's use of its maximum ACU")
        connections = database.metric_database_connections(statistic="Maximum", period=five_minutes)
        self._alarm("DatabaseConnections", connections, threshold=database_connections_threshold, periods=3,
                    comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    description=f"More than {database_connections_threshold} database connections for 15 minutes "
                                "(12.1.3: capacity).")
        local_storage = []
        for index, instance in enumerate(database.instance_identifiers):
            metric = cloudwatch.Metric(namespace="AWS/RDS", metric_name="FreeLocalStorage",
                                       dimensions_map={"DBInstanceIdentifier": instance}, statistic="Minimum",
                                       period=five_minutes)
            local_storage.append(metric.with_(label=f"Instance {index + 1}"))
            self._alarm(f"DatabaseLocalStorage{index + 1}", metric, threshold=free_local_storage_bytes, periods=2,
                        comparison=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                        description=f"A database instance has less than {free_local_storage_bytes / 1024**3:g} GiB "
                                    "of local storage (temporary tables, logs) for 10 minutes (12.1.3: capacity).")

        def graph(title: str, *metrics: cloudwatch.IMetric) -> cloudwatch.GraphWidget:
            return cloudwatch.GraphWidget(title=title, left=list(metrics), width=8, height=6)

        self.dashboard = cloudwatch.Dashboard(
            self, "Dashboard", dashboard_name=f"{name}-service",
            widgets=[
                [cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(self.alarms), width=24)],
                [graph("Server status checks", status_checks), graph("Servers in service", in_service),
                 graph("Unhealthy targets", unhealthy)],
                [graph("Load balancer 5XX", errors), graph("Liveness (success %)", success),
                 graph("Requests blocked by AWS WAF", blocked)],
                [graph("Server CPU %", cpu), graph("Server memory %", memory), graph("Server root disk %", disk)],
                [graph("Database CPU % and ACU %", database_cpu, capacity), graph("Database connections", connections),
                 graph("Database free local storage", *local_storage)],
            ],
        )

    def _alarm(self, construct_id: str, metric: cloudwatch.IMetric, *, threshold: float, periods: int,
               comparison: cloudwatch.ComparisonOperator, description: str,
               missing: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.MISSING) -> cloudwatch.Alarm:
        alarm = metric.create_alarm(
            self, construct_id,
            alarm_name=f"{self.name}-{re.sub(r'(?<!^)(?=[A-Z])|(?<=[a-z])(?=[0-9])', '-', construct_id).lower()}",
            alarm_description=description, threshold=threshold, comparison_operator=comparison,
            evaluation_periods=periods, datapoints_to_alarm=periods, treat_missing_data=missing,
        )
        alarm.add_alarm_action(self._action)
        alarm.add_ok_action(self._action)
        self.alarms.append(alarm)
        return alarm

    def _canary_role(self, canary_name: str, key: DataClassKey) -> ManagedPolicyRole:
        """What a Synthetics canary needs, narrowed to this canary: its artifacts prefix, the key only through S3,
        the CloudWatchSynthetics namespace. No CloudWatch Logs: the Lambda log group Synthetics would create has a
        random name, so it could be neither encrypted nor kept a year; each run's log is among its artifacts in
        the encrypted bucket instead."""
        stack = cdk.Stack.of(self)
        role = ManagedPolicyRole(self, "CanaryRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                                 description=f"Liveness canary {canary_name}: artifacts and metrics")
        objects = self.artifacts.arn_for_objects(f"{CANARY_PREFIX}/*")
        for statement in (
            iam.PolicyStatement(sid="FindTheArtifactsBucket", actions=["s3:ListAllMyBuckets"], resources=["*"]),
            iam.PolicyStatement(sid="LocateTheArtifactsBucket", actions=["s3:GetBucketLocation"],
                                resources=[self.artifacts.bucket_arn]),
            iam.PolicyStatement(sid="WriteArtifacts", actions=["s3:PutObject"], resources=[objects]),
            iam.PolicyStatement(sid="EncryptArtifactsThroughS3", actions=["kms:GenerateDataKey"],
                                resources=[key.key_arn],
                                conditions={"StringEquals": {"kms:ViaService": f"s3.{stack.region}.amazonaws.com"}}),
            iam.PolicyStatement(sid="PublishCanaryMetricsOnly", actions=["cloudwatch:PutMetricData"], resources=["*"],
                                conditions={"StringEquals": {"cloudwatch:namespace": SYNTHETICS_NAMESPACE}}),
        ):
            role.add_to_principal_policy(statement)
        acknowledge(
            role.permissions,
            "Synthetics lists buckets to find its artifacts bucket and cloudwatch:PutMetricData has no resource-level "
            "permissions; publishing is limited to the CloudWatchSynthetics namespace by its condition.",
            "AwsSolutions-IAM5[Resource::*]",
        )
        acknowledge(
            role.permissions,
            "The canary writes its run artifacts under its own prefix of its own bucket, under keys Synthetics "
            "generates per run.",
            f"AwsSolutions-IAM5[Resource::<{stack.get_logical_id(self.artifacts.node.default_child)}.Arn>/"
            f"{CANARY_PREFIX}/*]",
        )
        return role


def _canary_name(name: str) -> str:
    """``<name>-live``, or, when that is too long, a cut of ``name`` made unique by a hash of it."""
    wanted = f"{name}-live"
    if len(wanted) <= CANARY_NAME_LENGTH:
        return wanted
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"{name[:CANARY_NAME_LENGTH - 7].rstrip('-_')}-{digest}"


def _min_capacity(group: autoscaling.AutoScalingGroup, construct_id: str) -> int:
    resource = group.node.default_child
    assert isinstance(resource, autoscaling.CfnAutoScalingGroup)
    if not resource.metrics_collection:
        raise ValueError(f"{construct_id}: the Auto Scaling group collects no group metrics; allowed: a group with "
                         "group_metrics (GroupInServiceInstances)")
    if cdk.Token.is_unresolved(resource.min_size):
        raise ValueError(f"{construct_id}: the group's minimum capacity is known only at deploy time; allowed: a number")
    return int(resource.min_size)


def allow_alarms_to_publish(topic: sns.ITopic, name: str) -> None:
    """Let CloudWatch alarms named ``<name>-*`` of this account publish to ``topic``, whose own policy (TLS
    enforcement) replaces the SNS default that would otherwise allow it."""
    stack = cdk.Stack.of(topic)
    topic.add_to_resource_policy(iam.PolicyStatement(
        sid=f"AllowCloudWatchAlarmsOf{re.sub(r'[^A-Za-z0-9]', '', name.title())}",
        principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions=["sns:Publish"],
        resources=[topic.topic_arn],
        conditions={
            "StringEquals": {"aws:SourceAccount": stack.account},
            "ArnLike": {"aws:SourceArn": stack.format_arn(
                service="cloudwatch", resource="alarm", resource_name=f"{name}-*",
                arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)},
        },
    ))


class EdgeAttackAlarm(Construct):
    """An alarm on the requests a CLOUDFRONT web ACL blocks (CLD.12.4.5). CloudWatch keeps that ACL's metrics
    in us-east-1 and an alarm can notify only a topic of its own region, so this builds the alarm, an
    encrypted topic with the security contacts and its key, all beside the ACL."""

    def __init__(self, scope: Construct, construct_id: str, *, web_acl_name: str, emails: list[str], name: str,
                 alias_prefix: str, blocked_requests_threshold: int = 1000) -> None:
        super().__init__(scope, construct_id)
        self.key = DataClassKey(self, "Key", data_class=DataClass.OPERATIONS, alias_prefix=alias_prefix)
        self.key.allow_service("cloudwatch.amazonaws.com")
        self.topic = NotificationTopic(self, "Topic", key=self.key, emails=emails)
        allow_alarms_to_publish(self.topic, name)
        action = cloudwatch_actions.SnsAction(self.topic)
        blocked = cloudwatch.Metric(namespace="AWS/WAFV2", metric_name="BlockedRequests",
                                    dimensions_map={"WebACL": web_acl_name, "Rule": "ALL"},
                                    statistic="Sum", period=cdk.Duration.minutes(5))
        self.alarm = blocked.create_alarm(
            self, "BlockedRequests", alarm_name=f"{name}-edge-blocked-requests",
            alarm_description=f"The edge web ACL {web_acl_name} blocked more than {blocked_requests_threshold} "
                              "requests in 5 minutes (12.4.5: attacks).",
            threshold=blocked_requests_threshold, evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.alarm.add_alarm_action(action)
        self.alarm.add_ok_action(action)
