from aws_cdk import assertions as A
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_s3 as s3

from constructs_lib import DataClass, DataClassKey, EdgeDistribution, PublicLoadBalancer, WebApplicationFirewall
from constructs_lib.edge import MANAGED_RULE_GROUPS
from tests.helpers import new_stack

CERTIFICATE = "arn:aws:acm:ap-northeast-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"


def _entry(stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, map_public_ip_on_launch=False)])
    logs = s3.Bucket(stack, "Logs", encryption=s3.BucketEncryption.S3_MANAGED)
    entry = PublicLoadBalancer(stack, "Entry", vpc=vpc, subnets=ec2.SubnetSelection(subnet_group_name="Public"),
                               certificate_arn=CERTIFICATE, access_logs=logs)
    entry.route_to("Servers", [], port=8080)
    return entry


def test_https_listener_uses_a_tls_1_2_policy_and_http_only_redirects():
    stack = new_stack()
    _entry(stack)
    template = A.Template.from_stack(stack)
    template.has_resource_properties("AWS::ElasticLoadBalancingV2::Listener", {
        "Port": 443, "Protocol": "HTTPS", "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "Certificates": [{"CertificateArn": CERTIFICATE}]})
    template.has_resource_properties("AWS::ElasticLoadBalancingV2::Listener", {
        "Port": 80, "Protocol": "HTTP",
        "DefaultActions": [{"Type": "redirect", "RedirectConfig": A.Match.object_like({"Protocol": "HTTPS", "Port": "443",
                                                                                      "StatusCode": "HTTP_301"})}]})


def test_load_balancer_is_internet_facing_logs_and_drops_invalid_headers():
    stack = new_stack()
    _entry(stack)
    A.Template.from_stack(stack).has_resource_properties("AWS::ElasticLoadBalancingV2::LoadBalancer", {
        "Scheme": "internet-facing",
        "LoadBalancerAttributes": A.Match.array_with([
            {"Key": "deletion_protection.enabled", "Value": "true"},
            {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
            {"Key": "access_logs.s3.enabled", "Value": "true"},
        ])})


def test_load_balancer_accepts_only_443_and_80():
    stack = new_stack()
    _entry(stack)
    A.Template.from_stack(stack).has_resource_properties("AWS::EC2::SecurityGroup", {
        "GroupDescription": "Load balancer: HTTPS from the internet, HTTP only to redirect",
        "SecurityGroupIngress": [
            A.Match.object_like({"CidrIp": "0.0.0.0/0", "FromPort": 443, "ToPort": 443}),
            A.Match.object_like({"CidrIp": "0.0.0.0/0", "FromPort": 80, "ToPort": 80}),
        ]})


def test_web_acl_has_managed_rules_a_rate_limit_and_logs_a_year():
    stack = new_stack()
    key = DataClassKey(stack, "Key", data_class=DataClass.OPERATIONS, alias_prefix="p")
    firewall = WebApplicationFirewall(stack, "Firewall", name="p-entry", rate_limit=1500, log_key=key,
                                      log_retention_days=365)
    firewall.protect("Protects", "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/x/1")
    template = A.Template.from_stack(stack)
    acl = template.find_resources("AWS::WAFv2::WebACL")
    (properties,) = [a["Properties"] for a in acl.values()]
    assert properties["Scope"] == "REGIONAL" and properties["DefaultAction"] == {"Allow": {}}
    groups = [r["Statement"]["ManagedRuleGroupStatement"]["Name"] for r in properties["Rules"]
              if "ManagedRuleGroupStatement" in r["Statement"]]
    assert groups == list(MANAGED_RULE_GROUPS)
    (rate,) = [r for r in properties["Rules"] if "RateBasedStatement" in r["Statement"]]
    assert rate["Statement"]["RateBasedStatement"] == {"AggregateKeyType": "IP", "Limit": 1500}
    assert rate["Action"] == {"Block": {}}
    template.has_resource_properties("AWS::Logs::LogGroup", {"LogGroupName": "aws-waf-logs-p-entry",
                                                             "RetentionInDays": 365})
    template.has_resource_properties("AWS::WAFv2::LoggingConfiguration", {"LogDestinationConfigs": [
        "arn:aws:logs:ap-northeast-1:123456789012:log-group:aws-waf-logs-p-entry"]})
    template.resource_count_is("AWS::WAFv2::WebACLAssociation", 1)


def test_cloudfront_web_acl_keeps_no_samples_and_logs_to_the_given_bucket():
    stack = new_stack()
    WebApplicationFirewall(stack, "Firewall", name="p-edge", rate_limit=2000,
                           log_bucket_arn="arn:aws:s3:::aws-waf-logs-p-edge-123456789012", edge=True)
    template = A.Template.from_stack(stack)
    (acl,) = [a["Properties"] for a in template.find_resources("AWS::WAFv2::WebACL").values()]
    assert acl["Scope"] == "CLOUDFRONT"
    assert acl["VisibilityConfig"]["SampledRequestsEnabled"] is False
    assert all(rule["VisibilityConfig"]["SampledRequestsEnabled"] is False for rule in acl["Rules"])
    template.has_resource_properties("AWS::WAFv2::LoggingConfiguration", {
        "LogDestinationConfigs": ["arn:aws:s3:::aws-waf-logs-p-edge-123456789012"]})
    template.resource_count_is("AWS::Logs::LogGroup", 0)


def test_web_acl_needs_the_log_destination_of_its_kind():
    import pytest
    stack = new_stack()
    with pytest.raises(ValueError, match="a regional web ACL logs with log_key"):
        WebApplicationFirewall(stack, "Firewall", name="p", rate_limit=2000, edge=True)


def test_edge_distribution_is_tls_only_uncached_geo_restricted_and_logged():
    stack = new_stack()
    EdgeDistribution(stack, "Entry", domain_name="learn.example.com", name="p-edge",
                     certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/11111111-1111-1111-1111-111111111111",
                     origin_domain_name="origin.learn.example.com", web_acl_arn="arn:aws:wafv2:us-east-1:1:global/webacl/x/1",
                     allowed_countries=["JP"], log_bucket_arn="arn:aws:s3:::aws-waf-logs-p-edge-123456789012")
    template = A.Template.from_stack(stack)
    template.has_resource_properties("AWS::CloudFront::Distribution", {"DistributionConfig": A.Match.object_like({
        "Aliases": ["learn.example.com"],
        "ViewerCertificate": A.Match.object_like({"MinimumProtocolVersion": "TLSv1.2_2021", "SslSupportMethod": "sni-only"}),
        "DefaultCacheBehavior": A.Match.object_like({"ViewerProtocolPolicy": "redirect-to-https",
                                                     "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"}),
        "Origins": [A.Match.object_like({"DomainName": "origin.learn.example.com", "CustomOriginConfig": A.Match.object_like(
            {"OriginProtocolPolicy": "https-only", "OriginSSLProtocols": ["TLSv1.2"]})})],
        "Restrictions": {"GeoRestriction": {"Locations": ["JP"], "RestrictionType": "whitelist"}},
        "WebACLId": "arn:aws:wafv2:us-east-1:1:global/webacl/x/1",
    })})
    template.has_resource_properties("AWS::Logs::DeliverySource", {"LogType": "ACCESS_LOGS"})
    template.has_resource_properties("AWS::Logs::DeliveryDestination", {
        "DestinationResourceArn": "arn:aws:s3:::aws-waf-logs-p-edge-123456789012"})
    template.resource_count_is("AWS::Logs::Delivery", 1)
