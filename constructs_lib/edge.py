"""Internet entry points: CloudFront and a TLS 1.2+ load balancer (10.1.1), each behind AWS WAF
(CLD.9.5.2), all logged."""

from __future__ import annotations

from typing import Sequence

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from constructs_lib.acknowledgements import acknowledge, skip_checkov
from constructs_lib.keys import DataClassKey
from constructs_lib.log_group import RetainedLogGroup

MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesSQLiRuleSet",
)
TLS_POLICY = elbv2.SslPolicy.RECOMMENDED_TLS
"""ELBSecurityPolicy-TLS13-1-2-2021-06: TLS 1.3 and 1.2 only, never the 2016-08 default."""


class WebApplicationFirewall(Construct):
    """A web ACL of AWS managed rule groups and a per-address rate limit, with every request logged.

    Regional (load balancers, API stages): logs go to a KMS-encrypted log group kept
    ``log_retention_days`` in the stack's region. CloudFront: AWS requires the web ACL in
    us-east-1; its logs go to ``log_bucket_arn`` (a bucket in Japan) and sampled requests,
    which AWS would keep in us-east-1, are not collected.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        rate_limit: int,
        log_key: DataClassKey | None = None,
        log_retention_days: int = 365,
        log_bucket_arn: str | None = None,
        edge: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        if edge == (log_bucket_arn is None) or (not edge and log_key is None):
            raise ValueError(f"{construct_id}: a regional web ACL logs with log_key, a CloudFront one with log_bucket_arn")
        sampled = not edge
        rules = [
            wafv2.CfnWebACL.RuleProperty(
                name=group,
                priority=index,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS", name=group),
                ),
                visibility_config=_visibility(group, sampled),
            )
            for index, group in enumerate(MANAGED_RULE_GROUPS)
        ]
        rules.append(wafv2.CfnWebACL.RuleProperty(
            name="RateLimitPerAddress",
            priority=len(rules),
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=rate_limit, aggregate_key_type="IP"),
            ),
            visibility_config=_visibility("RateLimitPerAddress", sampled),
        ))
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=name,
            scope="CLOUDFRONT" if edge else "REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=rules,
            visibility_config=_visibility(name, sampled),
        )
        if edge:
            self.logging = wafv2.CfnLoggingConfiguration(self, "Logging", resource_arn=self.web_acl.attr_arn,
                                                         log_destination_configs=[log_bucket_arn])
            return
        log_group_name = f"aws-waf-logs-{name}"
        self.log_group = RetainedLogGroup(
            self, "Logs", encryption_key=log_key, retention_days=log_retention_days, log_group_name=log_group_name,
        )
        self.logging = logging = wafv2.CfnLoggingConfiguration(
            self,
            "Logging",
            resource_arn=self.web_acl.attr_arn,
            log_destination_configs=[cdk.Stack.of(self).format_arn(
                service="logs", resource="log-group", resource_name=log_group_name,
                arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
            )],
        )
        logging.node.add_dependency(self.log_group)

    def protect(self, construct_id: str, resource_arn: str) -> wafv2.CfnWebACLAssociation:
        return wafv2.CfnWebACLAssociation(self, construct_id, resource_arn=resource_arn,
                                          web_acl_arn=self.web_acl.attr_arn)


class PublicLoadBalancer(Construct):
    """The internet-facing Application Load Balancer: HTTPS with a TLS 1.2+ policy, HTTP only to
    redirect, invalid headers dropped, access logs kept, and nothing else open."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        certificate_arn: str,
        access_logs: s3.IBucket,
    ) -> None:
        super().__init__(scope, construct_id)
        self.security_group = ec2.SecurityGroup(
            self, "SecurityGroup", vpc=vpc, allow_all_outbound=False,
            description="Load balancer: HTTPS from the internet, HTTP only to redirect",
        )
        self.security_group.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS from the internet")
        self.security_group.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(80), "HTTP, redirected to HTTPS")
        acknowledge(self.security_group, "This is the service's internet entry point: it accepts HTTPS, and HTTP "
                                         "only to redirect, from anyone, behind AWS WAF (CLD.9.5.2).",
                    "AwsSolutions-EC23")
        skip_checkov(self.security_group, "CKV_AWS_260",
                     "Port 80 of this internet entry point only answers a redirect to HTTPS (the listener's one "
                     "action), behind AWS WAF; nothing is served over plain HTTP (10.1.1, CLD.9.5.2).")
        self.load_balancer = elbv2.ApplicationLoadBalancer(
            self,
            "LoadBalancer",
            vpc=vpc,
            vpc_subnets=subnets,
            internet_facing=True,
            security_group=self.security_group,
            drop_invalid_header_fields=True,
            deletion_protection=True,
        )
        self.load_balancer.log_access_logs(access_logs, prefix="load-balancer")
        self.https = self.load_balancer.add_listener(
            "Https",
            port=443,
            protocol=elbv2.ApplicationProtocol.HTTPS,
            certificates=[elbv2.ListenerCertificate.from_arn(certificate_arn)],
            ssl_policy=TLS_POLICY,
            open=False,
        )
        self.redirect = self.load_balancer.add_redirect(source_port=80, target_port=443, open=False)

    def route_to(self, construct_id: str, targets: Sequence[elbv2.IApplicationLoadBalancerTarget], port: int,
                 health_check_path: str = "/health") -> elbv2.ApplicationTargetGroup:
        return self.https.add_targets(
            construct_id,
            port=port,
            protocol=elbv2.ApplicationProtocol.HTTP,
            targets=list(targets),
            health_check=elbv2.HealthCheck(path=health_check_path, healthy_http_codes="200"),
        )


def _visibility(metric: str, sampled: bool) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=sampled,
    )


class EdgeDistribution(Construct):
    """CloudFront in front of the load balancer: TLS 1.2+ to viewers (TLSv1.2_2021) and to the
    origin (HTTPS only, TLSv1.2), HTTP redirected, nothing cached at the edge, served only to
    ``allowed_countries``, protected by ``web_acl_arn``, access logs delivered to ``log_bucket_arn``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        domain_name: str,
        certificate_arn: str,
        origin_domain_name: str,
        web_acl_arn: str,
        allowed_countries: Sequence[str],
        log_bucket_arn: str,
        name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"{name}: the public entry point",
            domain_names=[domain_name],
            certificate=acm.Certificate.from_certificate_arn(self, "Certificate", certificate_arn),
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            ssl_support_method=cloudfront.SSLMethod.SNI,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_200,
            web_acl_id=web_acl_arn,
            geo_restriction=cloudfront.GeoRestriction.allowlist(*allowed_countries) if allowed_countries else None,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.HttpOrigin(
                    origin_domain_name,
                    protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                    origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
                ),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            ),
        )
        stack = cdk.Stack.of(self)
        source = logs.CfnDeliverySource(
            self, "AccessLogSource", name=f"{name}-access-logs", log_type="ACCESS_LOGS",
            resource_arn=stack.format_arn(service="cloudfront", region="", resource="distribution",
                                          resource_name=self.distribution.distribution_id),
        )
        destination = logs.CfnDeliveryDestination(
            self, "AccessLogDestination", name=f"{name}-access-logs-japan", delivery_destination_type="S3",
            destination_resource_arn=log_bucket_arn, output_format="json",
        )
        delivery = logs.CfnDelivery(
            self, "AccessLogDelivery", delivery_source_name=source.name,
            delivery_destination_arn=destination.attr_arn, s3_suffix_path="cloudfront/{DistributionId}/{yyyy}/{MM}/{dd}",
        )
        delivery.add_resource_dependency(source)
        self.log_delivery = (source, destination, delivery)
        vended_logs = ("Access logs are delivered through CloudWatch vended logs (standard logging v2) to a bucket in "
                       "Japan; the legacy Logging property this rule reads would need an ACL-enabled bucket instead.")
        acknowledge(self.distribution, vended_logs, "AwsSolutions-CFR3")
        skip_checkov(self.distribution, "CKV_AWS_86", vended_logs)
