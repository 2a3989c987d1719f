import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as route53_targets
from aws_cdk import aws_sns as sns
from aws_cdk import aws_synthetics as synthetics

from constructs_lib.monitoring import HEARTBEAT
from nag_rules import Status
from nag_rules.rules.liveness_monitored import RULE
from tests.helpers import evaluations_of, new_stack, only

EDGE = cdk.Environment(account="123456789012", region="us-east-1")
LT = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD
DISTRIBUTION = "AWS::CloudFront::Distribution"
LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"


def _distribution(stack, origin=None):
    return cloudfront.Distribution(
        stack, "Cdn", default_behavior=cloudfront.BehaviorOptions(origin=origin or origins.HttpOrigin(
            "origin.example.com")), domain_names=["www.example.com"],
        certificate=acm.Certificate.from_certificate_arn(
            stack, "Certificate", "arn:aws:acm:us-east-1:123456789012:certificate/11111111-1111-1111-1111-111111111111"))


def _load_balancer(stack, internet_facing=True):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, map_public_ip_on_launch=False),
        ec2.SubnetConfiguration(name="App", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    return elbv2.ApplicationLoadBalancer(stack, "Lb", vpc=vpc, internet_facing=internet_facing)


def _canary(stack, url, alarmed=True, with_action=True, comparison=LT,
            missing=cloudwatch.TreatMissingData.BREACHING, **options):
    canary = synthetics.Canary(
        stack, "Canary", runtime=synthetics.Runtime.SYNTHETICS_NODEJS_PUPPETEER_13_0,
        test=synthetics.Test.custom(code=synthetics.Code.from_inline(HEARTBEAT), handler="index.handler"),
        environment_variables={"ENDPOINT_URL": url}, schedule=synthetics.Schedule.rate(cdk.Duration.minutes(5)),
        **options)
    if alarmed:
        alarm = canary.metric_success_percent().create_alarm(stack, "Liveness", threshold=100, evaluation_periods=2,
                                                             comparison_operator=comparison,
                                                             treat_missing_data=missing)
        if with_action:
            alarm.add_alarm_action(actions.SnsAction(sns.Topic(stack, "Topic")))
    return canary


def _evaluation(stack, resource_type=DISTRIBUTION):
    return only([e for e in evaluations_of(stack, RULE) if e.resource.type == resource_type])


def test_noncompliance_1_distribution_without_a_check():
    stack = new_stack(EDGE)
    _distribution(stack)
    evaluation = _evaluation(stack)
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == "no running canary or Route 53 health check aimed at it is alarmed with an action"


def test_noncompliance_2_canary_alarm_without_action():
    stack = new_stack(EDGE)
    _distribution(stack)
    _canary(stack, "https://www.example.com/health", with_action=False)
    evaluation = _evaluation(stack)
    assert evaluation.status is Status.VIOLATED
    assert "canary Test/Canary/Resource (RunConfig.EnvironmentVariables.ENDPOINT_URL = https://www.example.com/health)" \
           ": no alarm with an action that can fire on CloudWatchSynthetics SuccessPercent by CanaryName " \
           "(Test/Liveness/Resource (no AlarmActions))" in evaluation.evidence


def test_noncompliance_3_canary_aimed_elsewhere():
    stack = new_stack(EDGE)
    _distribution(stack)
    _canary(stack, "https://status.example.org/health")
    assert _evaluation(stack).status is Status.VIOLATED


def test_noncompliance_4_canary_never_started():
    stack = new_stack(EDGE)
    _distribution(stack)
    _canary(stack, "https://www.example.com/health", start_after_creation=False)
    assert "StartCanaryAfterCreation is not true" in _evaluation(stack).evidence


def test_noncompliance_5_alarm_on_success_rising():
    stack = new_stack(EDGE)
    _distribution(stack)
    _canary(stack, "https://www.example.com/health", comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD)
    assert "GreaterThanThreshold: it alarms when SuccessPercent rises, and the trouble is its fall" in (
        _evaluation(stack).evidence)


def test_noncompliance_6_alarm_silent_when_the_canary_stops():
    stack = new_stack(EDGE)
    _distribution(stack)
    _canary(stack, "https://www.example.com/health", missing=cloudwatch.TreatMissingData.MISSING)
    assert "TreatMissingData = missing: when the check stops reporting, the alarm stays silent" in (
        _evaluation(stack).evidence)


def test_noncompliance_7_internet_facing_load_balancer_without_a_check():
    stack = new_stack()
    _load_balancer(stack)
    assert _evaluation(stack, LOAD_BALANCER).status is Status.VIOLATED


def test_compliance_1_canary_on_an_alias():
    stack = new_stack(EDGE)
    _distribution(stack)
    _canary(stack, "https://www.example.com/health")
    evaluation = _evaluation(stack)
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == (
        "canary Test/Canary/Resource (RunConfig.EnvironmentVariables.ENDPOINT_URL = https://www.example.com/health), "
        "alarmed by Test/Liveness/Resource (LessThanThreshold 100)")


def test_compliance_2_route53_health_check_on_the_load_balancer():
    stack = new_stack(EDGE)
    balancer = _load_balancer(stack)
    check = route53.CfnHealthCheck(stack, "Check", health_check_config=route53.CfnHealthCheck.HealthCheckConfigProperty(
        type="HTTPS", fully_qualified_domain_name=balancer.load_balancer_dns_name, resource_path="/health", port=443))
    cloudwatch.Metric(namespace="AWS/Route53", metric_name="HealthCheckStatus",
                      dimensions_map={"HealthCheckId": check.attr_health_check_id}, statistic="Minimum").create_alarm(
        stack, "Down", threshold=1, evaluation_periods=2, comparison_operator=LT,
        treat_missing_data=cloudwatch.TreatMissingData.BREACHING).add_alarm_action(
        actions.SnsAction(sns.Topic(stack, "Topic")))
    evaluation = _evaluation(stack, LOAD_BALANCER)
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == (
        "health check Test/Check (HealthCheckConfig.FullyQualifiedDomainName = <Test/Lb/Resource DNSName>), alarmed "
        "by Test/Down/Resource (LessThanThreshold 1)")


def test_compliance_3_load_balancer_origin_by_reference():
    stack = new_stack(EDGE)
    balancer = _load_balancer(stack)
    _distribution(stack, origins.LoadBalancerV2Origin(balancer))
    _canary(stack, "https://www.example.com/health")
    evaluation = _evaluation(stack, LOAD_BALANCER)
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.startswith("the origin <Test/Lb/Resource DNSName> of Test/Cdn/Resource, whose "
                                          "liveness check passes through it: canary Test/Canary/Resource")


def test_compliance_4_load_balancer_origin_through_an_alias_record():
    stack = new_stack(EDGE)
    balancer = _load_balancer(stack)
    zone = route53.PublicHostedZone(stack, "Zone", zone_name="example.com")
    route53.ARecord(stack, "Origin", zone=zone, record_name="origin",
                    target=route53.RecordTarget.from_alias(route53_targets.LoadBalancerTarget(balancer)))
    _distribution(stack)
    _canary(stack, "https://www.example.com/health")
    evaluation = _evaluation(stack, LOAD_BALANCER)
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence.startswith("the origin origin.example.com (record Test/Origin/Resource) of "
                                          "Test/Cdn/Resource")


def test_compliance_5_internal_load_balancer_is_no_entry_point():
    stack = new_stack()
    _load_balancer(stack, internet_facing=False)
    assert not evaluations_of(stack, RULE)


def test_unresolved_1_load_balancer_that_may_be_the_origin():
    stack = new_stack(EDGE)
    _load_balancer(stack)
    _distribution(stack)
    _canary(stack, "https://www.example.com/health")
    evaluation = _evaluation(stack, LOAD_BALANCER)
    assert evaluation.status is Status.UNRESOLVED
    assert "Test/Cdn/Resource reaches origin origin.example.com, which may resolve to it" in evaluation.evidence


def test_unresolved_2_canary_url_from_a_parameter():
    stack = new_stack(EDGE)
    _distribution(stack)
    url = cdk.CfnParameter(stack, "Url", type="String")
    _canary(stack, url.value_as_string)
    evaluation = _evaluation(stack)
    assert evaluation.status is Status.UNRESOLVED
    assert "RunConfig.EnvironmentVariables.ENDPOINT_URL is known only at deploy time" in evaluation.evidence
