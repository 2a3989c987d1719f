from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins

from nag_rules import Status
from nag_rules.rules.cloud_front_tls import RULE
from tests.helpers import evaluations_of, new_stack, only

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-1111-1111-1111-111111111111"


def _distribution(stack, certificate=True, viewer=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                  origin_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY, origin_tls=None, minimum=None):
    props = {}
    if certificate:
        props.update(domain_names=["learn.example.com"],
                     certificate=acm.Certificate.from_certificate_arn(stack, "Certificate", CERTIFICATE))
    if minimum:
        props["minimum_protocol_version"] = minimum
    cloudfront.Distribution(stack, "Cdn", default_behavior=cloudfront.BehaviorOptions(
        origin=origins.HttpOrigin("origin.learn.example.com", protocol_policy=origin_policy,
                                  origin_ssl_protocols=origin_tls or [cloudfront.OriginSslPolicy.TLS_V1_2]),
        viewer_protocol_policy=viewer), **props)


def test_noncompliance_1_default_certificate():
    stack = new_stack()
    _distribution(stack, certificate=False)
    assert "default *.cloudfront.net certificate" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_2_old_minimum_protocol():
    stack = new_stack()
    _distribution(stack, minimum=cloudfront.SecurityPolicyProtocol.TLS_V1_1_2016)
    assert "TLSv1.1_2016" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_3_viewers_may_use_http():
    stack = new_stack()
    _distribution(stack, viewer=cloudfront.ViewerProtocolPolicy.ALLOW_ALL)
    assert "allow-all" in only(evaluations_of(stack, RULE)).evidence


def test_noncompliance_4_origin_over_http_or_old_tls():
    stack = new_stack()
    _distribution(stack, origin_tls=[cloudfront.OriginSslPolicy.TLS_V1_1, cloudfront.OriginSslPolicy.TLS_V1_2])
    assert "OriginSSLProtocols" in only(evaluations_of(stack, RULE)).evidence
    other = new_stack()
    _distribution(other, origin_policy=cloudfront.OriginProtocolPolicy.MATCH_VIEWER)
    assert only(evaluations_of(other, RULE)).status is Status.VIOLATED


def test_compliance_1_tls_1_2_end_to_end():
    stack = new_stack()
    _distribution(stack, minimum=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == "viewers: TLSv1.2_2021, HTTP redirected; origins: HTTPS only with TLSv1.2"
