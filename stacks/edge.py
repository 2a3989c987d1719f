from __future__ import annotations

from typing import Any

from constructs import Construct

from config import EDGE_REGION, EnvironmentSettings
from constructs_lib import EdgeDistribution, WebApplicationFirewall, acknowledge
from constructs_lib.monitoring import EdgeAttackAlarm
from stacks.environment_stack import EnvironmentStack
from stacks.foundation import edge_logs_bucket_name

DATA_LOCATION_RULE = "ISO27017-DataLocationJapan"


class EdgeStack(EnvironmentStack):
    """The CloudFront entry point and its web ACL, in us-east-1 because AWS requires it there.

    It stores no customer data: nothing is cached, the web ACL keeps no sampled requests, and
    both the access logs and the WAF logs are delivered to a bucket in Japan.
    """

    def __init__(self, scope: Construct, construct_id: str, *, settings: EnvironmentSettings, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, settings=settings, name="edge", region=EDGE_REGION,
                         description="tomoLinks ISO/IEC 27017 edge: CloudFront and its web ACL (us-east-1 by AWS design)",
                         bounds_roles=False, **kwargs)
        logs_arn = f"arn:aws:s3:::{edge_logs_bucket_name(settings)}"
        self.firewall = WebApplicationFirewall(
            self, "Firewall", name=f"{settings.name_prefix}-edge", rate_limit=settings.waf_rate_limit,
            log_bucket_arn=logs_arn, edge=True,
        )
        acknowledge(
            self.firewall.web_acl,
            "AWS creates web ACLs for CloudFront only in us-east-1; this one holds rules, not customer data, "
            "keeps no sampled requests, and sends its logs to a bucket in ap-northeast-1; its CloudWatch metrics "
            "(request counts per rule, no request content) stay in us-east-1.",
            DATA_LOCATION_RULE,
        )
        self.entry = EdgeDistribution(
            self, "Entry", domain_name=settings.domain_name, certificate_arn=settings.edge_certificate_arn,
            origin_domain_name=settings.origin_domain_name, web_acl_arn=self.firewall.web_acl.attr_arn,
            allowed_countries=settings.edge_allowed_countries, log_bucket_arn=logs_arn,
            name=f"{settings.name_prefix}-edge",
        )
        if not settings.edge_allowed_countries:
            acknowledge(
                self.entry.distribution,
                "This environment's configuration leaves edge_allowed_countries empty on purpose, so CloudFront "
                "serves every country; the web ACLs still filter every request.",
                "AwsSolutions-CFR1",
            )
        acknowledge(
            self.entry.distribution,
            "CloudFront terminates TLS at the edge location nearest each user, which for users in Japan is "
            "in Japan; it caches nothing (CachingDisabled), serves only the configured countries and logs to Japan; "
            "its CloudWatch metrics (request counts, no request content) stay in us-east-1.",
            DATA_LOCATION_RULE,
        )
        acknowledge(
            self.firewall.logging,
            "A web ACL's logging configuration must live beside the web ACL in us-east-1; it stores nothing "
            "itself, and AWS delivers the log records it routes to the bucket in ap-northeast-1.",
            DATA_LOCATION_RULE,
        )
        for resource in self.entry.log_delivery:
            acknowledge(
                resource,
                "CloudFront's vended-log delivery source, destination and delivery must live in us-east-1 "
                "beside the distribution; they store nothing, and the access log records land in the bucket "
                "in ap-northeast-1.",
                DATA_LOCATION_RULE,
            )
        self.alerts = EdgeAttackAlarm(self, "Alerts", web_acl_name=f"{settings.name_prefix}-edge",
                                      emails=settings.security_contact_emails, name=settings.name_prefix,
                                      alias_prefix=f"{settings.name_prefix}-edge")
        for resource in (self.alerts.key, self.alerts.topic):
            acknowledge(
                resource,
                "CloudWatch keeps the CloudFront web ACL's metrics in us-east-1 and an alarm can notify only a topic "
                "of its own region; this topic and its key carry only alarm notifications about blocked requests, "
                "no customer data.",
                DATA_LOCATION_RULE,
            )
