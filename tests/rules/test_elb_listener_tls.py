from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2

from nag_rules import Status
from nag_rules.rules.elb_listener_tls import RULE
from tests.helpers import evaluations_of, new_stack, only

CERTIFICATE = "arn:aws:acm:ap-northeast-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"


def _balancer(stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, map_public_ip_on_launch=False)])
    return elbv2.ApplicationLoadBalancer(stack, "Balancer", vpc=vpc, internet_facing=True)


def _https(balancer, **props):
    return balancer.add_listener("Https", port=443, certificates=[elbv2.ListenerCertificate.from_arn(CERTIFICATE)],
                                 default_action=elbv2.ListenerAction.fixed_response(404), **props)


def test_noncompliance_1_https_without_a_policy_gets_the_2016_default():
    stack = new_stack()
    balancer = _balancer(stack)
    elbv2.CfnListener(stack, "Https", load_balancer_arn=balancer.load_balancer_arn, port=443, protocol="HTTPS",
                      certificates=[{"certificateArn": CERTIFICATE}],
                      default_actions=[{"type": "fixed-response", "fixedResponseConfig": {"statusCode": "404"}}])
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "ELBSecurityPolicy-2016-08" in evaluation.evidence


def test_noncompliance_2_tls_1_1_policy():
    stack = new_stack()
    _https(_balancer(stack), ssl_policy=elbv2.SslPolicy.TLS11)
    assert "not on the TLS 1.2+ allowlist" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_3_http_serving_content():
    stack = new_stack()
    _balancer(stack).add_listener("Http", port=80, default_action=elbv2.ListenerAction.fixed_response(200))
    assert "serves content" in only(evaluations_of(stack, RULE)).evidence


def test_compliance_1_tls13_policy():
    stack = new_stack()
    _https(_balancer(stack), ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "HTTPS on port 443 with SslPolicy = ELBSecurityPolicy-TLS13-1-2-2021-06"


def test_compliance_2_http_only_redirects():
    stack = new_stack()
    _balancer(stack).add_redirect(source_port=80, target_port=443)
    assert only(evaluations_of(stack, RULE)).evidence == "HTTP on port 80 only redirects to HTTPS (HTTP_301)"
