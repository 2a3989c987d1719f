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
    assert evaluation.evidence == (
        "viewers: ViewerCertificate.MinimumProtocolVersion = TLSv1.2_2021; ViewerProtocolPolicy = redirect-to-https "
        "on default; origin TestCdnOrigin186F1F774 (CustomOriginConfig): OriginProtocolPolicy = https-only, "
        "OriginSSLProtocols = [TLSv1.2]")


def _secure(stack, origin, **behaviour):
    return cloudfront.Distribution(
        stack, "Cdn", domain_names=["learn.example.com"],
        certificate=acm.Certificate.from_certificate_arn(stack, "Certificate", CERTIFICATE),
        minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
        default_behavior=cloudfront.BehaviorOptions(
            origin=origin, viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS, **behaviour))


def _load_balancer(stack):
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_elasticloadbalancingv2 as elbv2

    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    return elbv2.ApplicationLoadBalancer(stack, "Balancer", vpc=vpc, internet_facing=False)


def _vpc_origin(stack, **props):
    vpc_origin = cloudfront.VpcOrigin(
        stack, "VpcOrigin", endpoint=cloudfront.VpcOriginEndpoint.application_load_balancer(_load_balancer(stack)),
        **props)
    return origins.VpcOrigin.with_vpc_origin(vpc_origin, domain_name="internal.learn.example.com")


def test_noncompliance_5_vpc_origin_over_http():
    stack = new_stack()
    _secure(stack, _vpc_origin(stack, protocol_policy=cloudfront.OriginProtocolPolicy.HTTP_ONLY))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("origin TestCdnOrigin186F1F774 (VPC origin Test/VpcOrigin/Resource): "
                                   "OriginProtocolPolicy = http-only: CloudFront may reach it over plain HTTP")


def test_noncompliance_6_vpc_origin_with_the_default_protocol_policy():
    stack = new_stack()
    _secure(stack, origins.VpcOrigin.with_application_load_balancer(_load_balancer(stack)))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED and "match-viewer (the default)" in evaluation.evidence


def test_compliance_2_vpc_origin_https_only_with_tls_1_2():
    stack = new_stack()
    _secure(stack, _vpc_origin(stack, protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                               origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2]))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert ("origin TestCdnOrigin186F1F774 (VPC origin Test/VpcOrigin/Resource): OriginProtocolPolicy = https-only, "
            "OriginSSLProtocols = [TLSv1.2]") in evaluation.evidence


def test_noncompliance_7_s3_website_endpoint_is_a_plain_http_origin():
    from aws_cdk import aws_s3 as s3

    stack = new_stack()
    bucket = s3.Bucket(stack, "Site", website_index_document="index.html")
    _secure(stack, origins.S3StaticWebsiteOrigin(bucket))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert "(CustomOriginConfig): OriginProtocolPolicy = http-only" in evaluation.evidence


def test_compliance_3_s3_rest_origin_and_each_origin_named():
    from aws_cdk import aws_s3 as s3

    stack = new_stack()
    distribution = _secure(stack, origins.S3BucketOrigin.with_origin_access_control(s3.Bucket(stack, "Content")))
    distribution.add_behavior("/api/*", origins.HttpOrigin("api.learn.example.com", origin_ssl_protocols=[
        cloudfront.OriginSslPolicy.TLS_V1_2]), viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY)
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert evaluation.evidence == (
        "viewers: ViewerCertificate.MinimumProtocolVersion = TLSv1.2_2021; ViewerProtocolPolicy = redirect-to-https "
        "on default; ViewerProtocolPolicy = https-only on /api/*; origin TestCdnOrigin186F1F774 (S3OriginConfig): an "
        "S3 REST origin, reached with the viewer's protocol, HTTPS as every behaviour requires; origin "
        "TestCdnOrigin296C4935B (CustomOriginConfig): OriginProtocolPolicy = https-only, OriginSSLProtocols = [TLSv1.2]")


def test_noncompliance_8_legacy_custom_origin():
    stack = new_stack()
    cloudfront.CfnDistribution(stack, "Legacy", distribution_config=cloudfront.CfnDistribution.DistributionConfigProperty(
        enabled=True, aliases=["learn.example.com"],
        viewer_certificate=cloudfront.CfnDistribution.ViewerCertificateProperty(
            acm_certificate_arn=CERTIFICATE, ssl_support_method="sni-only", minimum_protocol_version="TLSv1.2_2021"),
        default_cache_behavior=cloudfront.CfnDistribution.DefaultCacheBehaviorProperty(
            target_origin_id="legacy", viewer_protocol_policy="redirect-to-https"),
        custom_origin=cloudfront.CfnDistribution.LegacyCustomOriginProperty(
            dns_name="origin.learn.example.com", origin_protocol_policy="https-only",
            origin_ssl_protocols=["TLSv1", "TLSv1.1", "TLSv1.2"])))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.VIOLATED
    assert evaluation.evidence == ("legacy CustomOrigin origin.learn.example.com: OriginSSLProtocols = "
                                   '["TLSv1","TLSv1.1","TLSv1.2"]')


def test_unresolved_1_viewer_protocol_policy_or_minimum_version_from_a_condition():
    import aws_cdk as cdk

    for path, allowed in (("DefaultCacheBehavior.ViewerProtocolPolicy", ("https-only", "allow-all")),
                          ("ViewerCertificate.MinimumProtocolVersion", ("TLSv1.2_2021", "TLSv1"))):
        stack = new_stack()
        strict = cdk.CfnCondition(stack, "Strict", expression=cdk.Fn.condition_equals(
            cdk.CfnParameter(stack, "Stage", type="String").value_as_string, "prod"))
        distribution = _secure(stack, origins.HttpOrigin("origin.learn.example.com", origin_ssl_protocols=[
            cloudfront.OriginSslPolicy.TLS_V1_2]))
        distribution.node.default_child.add_property_override(
            f"DistributionConfig.{path}", cdk.Fn.condition_if(strict.logical_id, *allowed))
        evaluation = only(evaluations_of(stack, RULE))
        assert evaluation.status is Status.UNRESOLVED and path.rsplit(".", 1)[1] in evaluation.evidence


def test_unresolved_2_vpc_origin_outside_the_app():
    stack = new_stack()
    _secure(stack, origins.VpcOrigin.with_vpc_origin(
        cloudfront.VpcOrigin.from_vpc_origin_id(stack, "Shared", "vo_0123456789abcdef"),
        domain_name="internal.learn.example.com"))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.UNRESOLVED and "a VPC origin outside this app" in evaluation.evidence


def test_compliance_4_legacy_s3_origin():
    stack = new_stack()
    cloudfront.CfnDistribution(stack, "Legacy", distribution_config=cloudfront.CfnDistribution.DistributionConfigProperty(
        enabled=True, aliases=["learn.example.com"],
        viewer_certificate=cloudfront.CfnDistribution.ViewerCertificateProperty(
            acm_certificate_arn=CERTIFICATE, ssl_support_method="sni-only", minimum_protocol_version="TLSv1.2_2021"),
        default_cache_behavior=cloudfront.CfnDistribution.DefaultCacheBehaviorProperty(
            target_origin_id="legacy", viewer_protocol_policy="https-only"),
        s3_origin=cloudfront.CfnDistribution.LegacyS3OriginProperty(
            dns_name="content.s3.ap-northeast-1.amazonaws.com")))
    evaluation = only(evaluations_of(stack, RULE))
    assert evaluation.status is Status.COMPLIANT
    assert "legacy S3Origin content.s3.ap-northeast-1.amazonaws.com: an S3 REST origin" in evaluation.evidence
