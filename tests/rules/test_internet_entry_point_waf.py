from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_wafv2 as wafv2

from nag_rules import Status
from nag_rules.rules.internet_entry_point_waf import RULE
from tests.helpers import evaluations_of, new_stack, only


def _balancer(stack, **props):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, map_public_ip_on_launch=False)])
    return elbv2.ApplicationLoadBalancer(stack, "Balancer", vpc=vpc, **props)


def _web_acl(stack):
    return wafv2.CfnWebACL(stack, "Acl", scope="REGIONAL", default_action={"allow": {}}, visibility_config={
        "cloudWatchMetricsEnabled": True, "metricName": "acl", "sampledRequestsEnabled": True})


def test_noncompliance_1_internet_facing_without_waf():
    stack = new_stack()
    _balancer(stack, internet_facing=True)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED


def test_noncompliance_2_waf_on_another_balancer_does_not_count():
    stack = new_stack()
    balancer = _balancer(stack, internet_facing=True)
    other = elbv2.ApplicationLoadBalancer(stack, "Other", vpc=balancer.vpc, internet_facing=True)
    wafv2.CfnWebACLAssociation(stack, "Protects", resource_arn=other.load_balancer_arn,
                               web_acl_arn=_web_acl(stack).attr_arn)
    statuses = {e.resource.path: e.status for e in evaluations_of(stack, RULE)}
    assert statuses == {"Test/Balancer/Resource": Status.VIOLATED, "Test/Other/Resource": Status.COMPLIANT}


def test_noncompliance_3_cloudfront_without_web_acl():
    stack = new_stack()
    cloudfront.CfnDistribution(stack, "Cdn", distribution_config={
        "enabled": True, "defaultCacheBehavior": {"targetOriginId": "o", "viewerProtocolPolicy": "https-only",
                                                  "cachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
        "origins": [{"id": "o", "domainName": "example.com", "customOriginConfig": {"originProtocolPolicy": "https-only"}}]})
    assert only(evaluations_of(stack, RULE)).status is Status.VIOLATED


def test_compliance_1_associated_web_acl():
    stack = new_stack()
    balancer = _balancer(stack, internet_facing=True)
    wafv2.CfnWebACLAssociation(stack, "Protects", resource_arn=balancer.load_balancer_arn,
                               web_acl_arn=_web_acl(stack).attr_arn)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "web ACL Test/Acl protects it through Test/Protects"


def test_compliance_2_internal_balancer_is_not_an_entry_point():
    stack = new_stack()
    _balancer(stack, internet_facing=False)
    assert evaluations_of(stack, RULE) == []
