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
