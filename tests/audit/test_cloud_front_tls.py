import pytest
from botocore.stub import Stubber

from compliance.audit.checks.cloud_front_tls import CHECK
from compliance.audit.framework import Result, Unverifiable


def _distribution(aws, *, certificate, viewer="redirect-to-https", origin_policy="https-only",
                  origin_tls=("TLSv1.2",)):
    config = {
        "CallerReference": "ref", "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "app", "DomainName": "app.example.com",
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": origin_policy,
                                   "OriginSslProtocols": {"Quantity": len(origin_tls), "Items": list(origin_tls)}}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "app", "ViewerProtocolPolicy": viewer,
                                 "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
        "ViewerCertificate": certificate,
    }
    return aws.client("cloudfront", "us-east-1").create_distribution(DistributionConfig=config)["Distribution"]


OWN = {"CloudFrontDefaultCertificate": False, "ACMCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
       "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"}


def test_pass_1_own_certificate_tls12_https_origin(aws):
    distribution = _distribution(aws, certificate=OWN)
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.PASS and finding.resource == distribution["ARN"]
    assert finding.region == "us-east-1" and "MinimumProtocolVersion = TLSv1.2_2021" in finding.evidence
    assert "custom origins ['app'] OriginProtocolPolicy = https-only" in finding.evidence


def test_pass_2_no_distribution_no_finding(aws):
    assert CHECK.run(aws) == []


def test_fail_1_default_certificate(aws):
    _distribution(aws, certificate={"CloudFrontDefaultCertificate": True})
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL and "CloudFrontDefaultCertificate = True" in finding.evidence


def test_fail_2_old_tls_allow_all_and_http_origin(aws):
    _distribution(aws, certificate={**OWN, "MinimumProtocolVersion": "TLSv1.2_2018"}, viewer="allow-all",
                  origin_policy="match-viewer", origin_tls=("TLSv1.1", "TLSv1.2"))
    (finding,) = CHECK.run(aws)
    assert finding.result is Result.FAIL
    for text in ("MinimumProtocolVersion = TLSv1.2_2018", "DefaultCacheBehavior.ViewerProtocolPolicy = allow-all",
                 "Origins[app].OriginProtocolPolicy = match-viewer", "Origins[app].OriginSslProtocols"):
        assert text in finding.evidence


def test_unverified_1_list_distributions_throttled(aws):
    stub = Stubber(aws.client("cloudfront", "us-east-1"))
    stub.add_client_error("list_distributions", "Throttling")
    stub.activate()
    with pytest.raises(Unverifiable, match="ListDistributions.*throttled"):
        CHECK.run(aws)


SUMMARY = {"Id": "E1", "ARN": "arn:aws:cloudfront::123456789012:distribution/E1", "Status": "Deployed",
           "DomainName": "d1.cloudfront.net", "Aliases": {"Quantity": 0}, "Comment": "", "PriceClass": "PriceClass_All",
           "Enabled": True, "WebACLId": "", "HttpVersion": "http2", "IsIPV6Enabled": True, "Staging": False,
           "LastModifiedTime": "2025-01-01T00:00:00Z", "CacheBehaviors": {"Quantity": 0},
           "CustomErrorResponses": {"Quantity": 0}, "Restrictions": {"GeoRestriction": {
               "RestrictionType": "none", "Quantity": 0}},
           "DefaultCacheBehavior": {"TargetOriginId": "app", "ViewerProtocolPolicy": "https-only"},
           "ViewerCertificate": OWN,
           "Origins": {"Quantity": 1, "Items": [{"Id": "app", "DomainName": "app.internal",
                                                 "VpcOriginConfig": {"VpcOriginId": "vo_1"}}]}}


def _listing(items, truncated=False, marker=None):
    return {"DistributionList": {"Marker": "", "MaxItems": 100, "IsTruncated": truncated, "Quantity": len(items),
                                 "Items": items, **({"NextMarker": marker} if marker else {})}}


def _vpc_origin(protocols=("TLSv1.2",), policy="https-only"):
    return {"VpcOrigin": {"Id": "vo_1", "Arn": "arn:aws:cloudfront::123456789012:vpcorigin/vo_1", "Status": "Deployed",
                          "CreatedTime": "2025-01-01T00:00:00Z", "LastModifiedTime": "2025-01-01T00:00:00Z",
                          "VpcOriginEndpointConfig": {
                              "Name": "alb", "Arn": "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:"
                                                    "loadbalancer/app/internal/1", "HTTPPort": 80, "HTTPSPort": 443,
                              "OriginProtocolPolicy": policy,
                              "OriginSslProtocols": {"Quantity": len(protocols), "Items": list(protocols)}}}}


def _stubbed(aws, *responses):
    stub = Stubber(aws.client("cloudfront", "us-east-1"))
    for operation, answer in responses:
        if isinstance(answer, str):
            stub.add_client_error(operation, answer)
        else:
            stub.add_response(operation, answer)
    with stub:
        findings = CHECK.run(aws)
        stub.assert_no_pending_responses()
    return findings


def test_pass_3_vpc_origin_read_with_get_vpc_origin(aws):
    """moto has no VPC origins: stubbed."""
    (finding,) = _stubbed(aws, ("list_distributions", _listing([SUMMARY])), ("get_vpc_origin", _vpc_origin()))
    assert finding.result is Result.PASS
    assert "VPC origins ['app'] OriginProtocolPolicy = https-only" in finding.evidence
    assert "custom origins" not in finding.evidence


def test_pass_4_every_page_of_distributions_is_read(aws):
    second = {**SUMMARY, "Id": "E2", "ARN": "arn:aws:cloudfront::123456789012:distribution/E2"}
    stub = Stubber(aws.client("cloudfront", "us-east-1"))
    stub.add_response("list_distributions", _listing([SUMMARY], truncated=True, marker="E1"), {})
    stub.add_response("get_vpc_origin", _vpc_origin(), {"Id": "vo_1"})
    stub.add_response("list_distributions", _listing([second]), {"Marker": "E1"})
    stub.add_response("get_vpc_origin", _vpc_origin(), {"Id": "vo_1"})
    with stub:
        findings = CHECK.run(aws)
        stub.assert_no_pending_responses()
    assert [f.resource for f in findings] == [SUMMARY["ARN"], second["ARN"]]
    assert {f.result for f in findings} == {Result.PASS}


def test_fail_3_vpc_origin_allows_old_tls(aws):
    (finding,) = _stubbed(aws, ("list_distributions", _listing([SUMMARY])),
                          ("get_vpc_origin", _vpc_origin(("TLSv1.1", "TLSv1.2"), "match-viewer")))
    assert finding.result is Result.FAIL
    assert "Origins[app] GetVpcOrigin(vo_1).VpcOriginEndpointConfig.OriginProtocolPolicy = match-viewer" \
        in finding.evidence


def test_unverified_2_vpc_origin_denied(aws):
    (finding,) = _stubbed(aws, ("list_distributions", _listing([SUMMARY])), ("get_vpc_origin", "AccessDenied"))
    assert finding.result is Result.UNVERIFIED and finding.resource == SUMMARY["ARN"]
    assert "VPC origins unread: Origins[app]: cloudfront:GetVpcOrigin" in finding.evidence
