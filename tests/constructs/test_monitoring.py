import json

import aws_cdk as cdk
import pytest
from aws_cdk import assertions as A
from aws_cdk import aws_ec2 as ec2

from constructs_lib import (AccessLogsBucket, ApplicationServers, AutoScalingServiceRole, DataClass, DataClassKey,
                            NotificationTopic, PublicLoadBalancer)
from constructs_lib.data import RecordsDatabase
from constructs_lib.monitoring import ServerMetricsAgent, ServiceMonitoring
from tests.helpers import new_stack

CERTIFICATE = "arn:aws:acm:ap-northeast-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
ALARMS = ("status-check-failed", "servers-in-service", "unhealthy-targets", "load-balancer-5xx", "liveness",
          "blocked-requests", "server-cpu", "server-memory", "server-disk", "database-cpu", "database-capacity",
          "database-connections", "database-local-storage-1", "database-local-storage-2")


class Service:
    """The application tier, a database and their monitoring, as the stacks wire them."""

    def __init__(self, **overrides):
        self.stack = stack = new_stack()
        vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1, subnet_configuration=[
            ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, map_public_ip_on_launch=False),
            ec2.SubnetConfiguration(name="Application", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
        customer = DataClassKey(stack, "CustomerKey", data_class=DataClass.CUSTOMER, alias_prefix="p")
        self.key = DataClassKey(stack, "OperationsKey", data_class=DataClass.OPERATIONS, alias_prefix="p")
        self.topic = NotificationTopic(stack, "Topic", key=self.key, emails=["a@example.com"])
        self.access_logs = AccessLogsBucket(stack, "AccessLogs")
        self.servers = ApplicationServers(
            stack, "Servers", vpc=vpc, subnet_group="Application", instance_type="t3.small", min_capacity=2,
            max_capacity=4, port=8080, volume_key=customer, notifications=self.topic,
            auto_scaling_role=AutoScalingServiceRole(stack, "AutoScalingRole", suffix="p"))
        entry = PublicLoadBalancer(stack, "Entry", vpc=vpc, subnets=ec2.SubnetSelection(subnet_group_name="Public"),
                                   certificate_arn=CERTIFICATE, access_logs=self.access_logs)
        target_group = entry.route_to("Servers", [self.servers.group], port=8080)
        database = RecordsDatabase(stack, "Records", identifier="p-records", vpc=vpc, subnet_group_name="Data",
                                   security_group=ec2.SecurityGroup(stack, "DatabaseSecurityGroup", vpc=vpc),
                                   port=5432, key=customer, log_key=self.key, log_retention_days=365)
        self.agent = ServerMetricsAgent(stack, "MetricsAgent", prefix="p")
        self.servers.launch_template.user_data.add_commands(*self.agent.commands)
        self.agent.grant(self.servers.role)
        props = dict(topic=self.topic, auto_scaling_group=self.servers.group, target_group=target_group,
                     load_balancer=entry.load_balancer, web_acl_name="p-entry", database=database.cluster,
                     endpoint_url="https://www.example.com/health", canary_bucket_key=self.key,
                     access_logs=self.access_logs, name="p")
        props.update(overrides)
        self.monitoring = ServiceMonitoring(stack, "Monitoring", **props)
        self.template = A.Template.from_stack(stack)

    def ref(self, construct):
        return {"Ref": self.stack.get_logical_id(construct.node.default_child)}

    def arn(self, construct):
        return {"Fn::GetAtt": [self.stack.get_logical_id(construct.node.default_child), "Arn"]}

    def alarm(self, name):
        (alarm,) = self.template.find_resources("AWS::CloudWatch::Alarm", {"Properties": {"AlarmName": f"p-{name}"}}
                                                 ).values()
        return alarm["Properties"]


@pytest.fixture(scope="module")
def service():
    return Service()


def test_every_alarm_tells_the_topic_when_it_fires_and_when_it_clears(service):
    alarms = service.template.find_resources("AWS::CloudWatch::Alarm")
    assert sorted(a["Properties"]["AlarmName"] for a in alarms.values()) == sorted(f"p-{name}" for name in ALARMS)
    topic = service.ref(service.topic)
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"] == [topic]
        assert alarm["Properties"]["OKActions"] == [topic]
    assert len(service.monitoring.alarms) == len(ALARMS)


def test_the_topic_accepts_this_services_alarms_only(service):
    service.template.has_resource_properties("AWS::SNS::TopicPolicy", {"PolicyDocument": {"Statement": A.Match.array_with([
        A.Match.object_like({"Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
                             "Action": "sns:Publish", "Resource": service.ref(service.topic),
                             "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"},
                                           "ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:ap-northeast-1:"
                                                                        "123456789012:alarm:p-*"}}})])}})


def test_server_state_alarms_watch_status_checks_and_servers_in_service(service):
    group = [{"Name": "AutoScalingGroupName", "Value": service.ref(service.servers.group)}]
    status = service.alarm("status-check-failed")
    assert {k: status[k] for k in ("Namespace", "MetricName", "Dimensions", "Statistic", "Threshold",
                                   "ComparisonOperator", "EvaluationPeriods")} == {
        "Namespace": "AWS/EC2", "MetricName": "StatusCheckFailed", "Dimensions": group, "Statistic": "Maximum",
        "Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold", "EvaluationPeriods": 2}
    in_service = service.alarm("servers-in-service")
    assert (in_service["Namespace"], in_service["MetricName"], in_service["Dimensions"]) == (
        "AWS/AutoScaling", "GroupInServiceInstances", group)
    assert (in_service["ComparisonOperator"], in_service["Threshold"], in_service["TreatMissingData"]) == (
        "LessThanThreshold", 2, "breaching")


def test_target_health_and_load_balancer_errors_are_watched(service):
    unhealthy = service.alarm("unhealthy-targets")
    assert (unhealthy["Namespace"], unhealthy["MetricName"]) == ("AWS/ApplicationELB", "UnHealthyHostCount")
    assert sorted(d["Name"] for d in unhealthy["Dimensions"]) == ["LoadBalancer", "TargetGroup"]
    assert (unhealthy["ComparisonOperator"], unhealthy["Threshold"]) == ("GreaterThanOrEqualToThreshold", 1)
    errors = service.alarm("load-balancer-5xx")
    assert (errors["MetricName"], errors["Statistic"], [d["Name"] for d in errors["Dimensions"]]) == (
        "HTTPCode_ELB_5XX_Count", "Sum", ["LoadBalancer"])


def test_blocked_requests_of_the_regional_web_acl_signal_an_attack(service):
    blocked = service.alarm("blocked-requests")
    assert (blocked["Namespace"], blocked["MetricName"], blocked["Statistic"], blocked["Period"]) == (
        "AWS/WAFV2", "BlockedRequests", "Sum", 300)
    assert sorted((d["Name"], d["Value"]) for d in blocked["Dimensions"]) == [
        ("Region", "ap-northeast-1"), ("Rule", "ALL"), ("WebACL", "p-entry")]
    assert (blocked["ComparisonOperator"], blocked["Threshold"]) == ("GreaterThanThreshold", 1000)


def test_thresholds_can_be_set():
    service = Service(blocked_requests_threshold=250, database_connections_threshold=90)
    assert service.alarm("blocked-requests")["Threshold"] == 250
    assert service.alarm("database-connections")["Threshold"] == 90


def test_server_resources_are_watched_per_group_from_ec2_and_the_agent(service):
    group = [{"Name": "AutoScalingGroupName", "Value": service.ref(service.servers.group)}]
    for name, namespace, metric in (("server-cpu", "AWS/EC2", "CPUUtilization"),
                                    ("server-memory", "CWAgent", "mem_used_percent"),
                                    ("server-disk", "CWAgent", "disk_used_percent")):
        alarm = service.alarm(name)
        assert (alarm["Namespace"], alarm["MetricName"], alarm["Dimensions"]) == (namespace, metric, group)
        assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 80)


def test_database_capacity_is_watched_on_the_cluster_and_each_instance(service):
    cluster = [{"Name": "DBClusterIdentifier", "Value": {"Ref": A.Match.string_like_regexp("^RecordsCluster")}}]
    for name, metric, threshold in (("database-cpu", "CPUUtilization", 80), ("database-capacity", "ACUUtilization", 80),
                                    ("database-connections", "DatabaseConnections", 500)):
        service.template.has_resource_properties("AWS::CloudWatch::Alarm", {
            "AlarmName": f"p-{name}", "Namespace": "AWS/RDS", "MetricName": metric, "Dimensions": cluster,
            "ComparisonOperator": "GreaterThanThreshold", "Threshold": threshold})
    instances = {service.alarm(f"database-local-storage-{n}")["Dimensions"][0]["Value"]["Ref"] for n in (1, 2)}
    assert instances == set(service.template.find_resources("AWS::RDS::DBInstance"))
    storage = service.alarm("database-local-storage-1")
    assert (storage["MetricName"], storage["Dimensions"][0]["Name"], storage["ComparisonOperator"]) == (
        "FreeLocalStorage", "DBInstanceIdentifier", "LessThanThreshold")


def test_canary_gets_the_endpoint_every_five_minutes_on_the_latest_nodejs_runtime(service):
    service.template.has_resource_properties("AWS::Synthetics::Canary", {
        "Name": "p-live",
        "RuntimeVersion": "syn-nodejs-puppeteer-13.0",
        "Schedule": {"Expression": "rate(5 minutes)", "DurationInSeconds": "0"},
        "StartCanaryAfterCreation": True,
        "RunConfig": A.Match.object_like({"EnvironmentVariables": {"ENDPOINT_URL": "https://www.example.com/health"}}),
        "Code": {"Handler": "index.handler", "Script": A.Match.string_like_regexp(r"statusCode > 399")},
        "ArtifactS3Location": {"Fn::Join": ["", ["s3://", service.ref(service.monitoring.artifacts), "/liveness"]]},
        "ExecutionRoleArn": service.arn(service.monitoring.canary_role),
    })
    liveness = service.alarm("liveness")
    assert (liveness["Namespace"], liveness["MetricName"], liveness["Dimensions"][0]["Name"]) == (
        "CloudWatchSynthetics", "SuccessPercent", "CanaryName")
    assert (liveness["ComparisonOperator"], liveness["Threshold"], liveness["TreatMissingData"]) == (
        "LessThanThreshold", 100, "breaching")


def test_canary_artifacts_are_encrypted_with_the_key_logged_and_expire(service):
    service.template.has_resource_properties("AWS::S3::Bucket", {
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [A.Match.object_like({
            "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": service.arn(service.key)}})]},
        "LoggingConfiguration": {"DestinationBucketName": service.ref(service.access_logs),
                                 "LogFilePrefix": "CanaryArtifacts/"},
        "LifecycleConfiguration": {"Rules": [A.Match.object_like({
            "Status": "Enabled", "ExpirationInDays": 365, "NoncurrentVersionExpiration": {"NoncurrentDays": 1}})]},
        "Tags": A.Match.array_with([{"Key": "DataClassification", "Value": "operations"}]),
    })


def test_canary_role_holds_only_what_the_canary_needs_in_a_managed_policy(service):
    role = service.ref(service.monitoring.canary_role)
    (policy,) = service.template.find_resources("AWS::IAM::ManagedPolicy", {"Properties": {"Roles": [role]}}).values()
    all_statements = policy["Properties"]["PolicyDocument"]["Statement"]
    statements = {s["Sid"]: s for s in all_statements if "Sid" in s}
    (grant,) = [s for s in all_statements if "Sid" not in s]  # the artifact key grant CDK adds for SSE-KMS
    assert grant["Resource"] == service.arn(service.key)
    assert set(grant["Action"]) <= {"kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Decrypt"}
    assert statements["WriteArtifacts"]["Action"] == "s3:PutObject"
    assert statements["WriteArtifacts"]["Resource"] == {"Fn::Join": ["", [service.arn(service.monitoring.artifacts),
                                                                          "/liveness/*"]]}
    assert statements["EncryptArtifactsThroughS3"] == {
        "Sid": "EncryptArtifactsThroughS3", "Effect": "Allow", "Action": "kms:GenerateDataKey",
        "Resource": service.arn(service.key),
        "Condition": {"StringEquals": {"kms:ViaService": "s3.ap-northeast-1.amazonaws.com"}}}
    assert statements["PublishCanaryMetricsOnly"]["Condition"] == {
        "StringEquals": {"cloudwatch:namespace": "CloudWatchSynthetics"}}
    assert not [s for s in statements.values() if "logs:" in str(s["Action"])], "the canary keeps no log group"
    assert not service.template.find_resources("AWS::IAM::Policy", {"Properties": {"Roles": [role]}})
    service.template.has_resource_properties("AWS::IAM::Role", {
        "AssumeRolePolicyDocument": {"Statement": [A.Match.object_like({"Principal": {"Service": "lambda.amazonaws.com"}})]},
        "Description": A.Match.string_like_regexp("Liveness canary p-live")})


def test_dashboard_shows_the_alarms_and_their_metrics(service):
    (dashboard,) = service.template.find_resources("AWS::CloudWatch::Dashboard").values()
    assert dashboard["Properties"]["DashboardName"] == "p-service"
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for metric in ("StatusCheckFailed", "GroupInServiceInstances", "UnHealthyHostCount", "SuccessPercent",
                   "BlockedRequests", "mem_used_percent", "disk_used_percent", "ACUUtilization", "FreeLocalStorage"):
        assert metric in body
    assert '\\"type\\":\\"alarm\\"' in body


def test_agent_configuration_collects_memory_and_root_disk_per_group(service):
    (parameter,) = service.template.find_resources("AWS::SSM::Parameter",
                                                   {"Properties": {"Name": "/p/cloudwatch-agent"}}).values()
    metrics = json.loads(parameter["Properties"]["Value"])["metrics"]
    assert metrics["namespace"] == "CWAgent"
    assert metrics["append_dimensions"] == {"AutoScalingGroupName": "${aws:AutoScalingGroupName}",
                                            "InstanceId": "${aws:InstanceId}"}
    assert metrics["aggregation_dimensions"] == [["AutoScalingGroupName"]]
    assert metrics["metrics_collected"] == {"mem": {"measurement": ["mem_used_percent"]},
                                            "disk": {"measurement": ["used_percent"], "resources": ["/"]}}


def test_agent_is_installed_and_started_from_the_parameter(service):
    script = service.servers.launch_template.user_data.render()
    assert "dnf install -y amazon-cloudwatch-agent" in script
    assert ("/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s "
            "-c ssm:/p/cloudwatch-agent") in script


def test_agent_grant_reads_its_parameter_publishes_to_cwagent_and_reads_tags(service):
    service.template.has_resource_properties("AWS::IAM::ManagedPolicy", {
        "Roles": [service.ref(service.servers.role)],
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Sid": "ReadAgentConfiguration", "Effect": "Allow", "Action": "ssm:GetParameter",
             "Resource": {"Fn::Join": ["", ["arn:aws:ssm:ap-northeast-1:123456789012:parameter",
                                            service.ref(service.agent.parameter)]]}},
            {"Sid": "PublishAgentMetricsOnly", "Effect": "Allow", "Action": "cloudwatch:PutMetricData",
             "Resource": "*", "Condition": {"StringEquals": {"cloudwatch:namespace": "CWAgent"}}},
            {"Sid": "ReadInstanceTags", "Effect": "Allow", "Action": "ec2:DescribeTags", "Resource": "*"},
        ]},
    })


def test_wildcards_are_acknowledged_with_reasons(service):
    def acknowledged(construct):
        return json.dumps([e.data for e in construct.node.default_child.node.metadata
                           if e.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY])

    agent = acknowledged(service.agent.grant(service.servers.role))
    assert "AwsSolutions-IAM5[Resource::*]" in agent and "no resource-level permissions" in agent
    canary = acknowledged(service.monitoring.canary_role.permissions)
    assert "AwsSolutions-IAM5[Resource::*]" in canary


def test_only_https_endpoints_are_probed():
    with pytest.raises(ValueError, match=r"endpoint_url='http://www.example.com'; allowed: an https:// URL"):
        Service(endpoint_url="http://www.example.com")


def test_canary_artifacts_are_encrypted_with_the_key_and_names_stay_unique_when_cut(service):
    from constructs_lib.monitoring import _canary_name

    service.template.has_resource_properties("AWS::Synthetics::Canary", {"ArtifactConfig": {"S3Encryption": {
        "EncryptionMode": "SSE_KMS", "KmsKeyArn": service.arn(service.key)}}})
    assert _canary_name("tomolinks-production-1") != _canary_name("tomolinks-production-2")
    assert all(len(_canary_name(n)) <= 21 for n in ("tomolinks-production-1", "a" * 40, "p"))
