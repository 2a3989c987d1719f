import re

from compliance.audit.framework import Account, AuditCheck, Finding, call, failed, passed

DISTRIBUTION = "AWS::CloudFront::Distribution"
REGION = "us-east-1"
"""CloudFront is global; its API lives in us-east-1."""
SECURE_VIEWER = {"redirect-to-https", "https-only"}


def _modern(version: str | None) -> bool:
    """TLSv1.2_2019 or later (TLSv1.2_2019/2021/2025, TLSv1.3_*)."""
    match = re.fullmatch(r"TLSv1\.(\d)_(\d{4})", version or "")
    return bool(match) and (int(match[1]), int(match[2])) >= (2, 2019)


def _distributions(cloudfront):
    """Every DistributionSummary; ``pages`` reads only top-level keys and this one is DistributionList.Items."""
    marker = None
    while True:
        listing = call(cloudfront, "list_distributions", **({"Marker": marker} if marker else {}))["DistributionList"]
        yield from listing.get("Items", [])
        marker = listing.get("NextMarker")
        if not listing.get("IsTruncated") or not marker:
            return


def _problems(distribution: dict) -> list[str]:
    problems = []
    certificate = distribution.get("ViewerCertificate", {})
    if certificate.get("CloudFrontDefaultCertificate"):
        problems.append("ViewerCertificate.CloudFrontDefaultCertificate = True")
    version = certificate.get("MinimumProtocolVersion")
    if not _modern(version):
        problems.append(f"ViewerCertificate.MinimumProtocolVersion = {version}")
    behaviours = [("DefaultCacheBehavior", distribution.get("DefaultCacheBehavior", {}))]
    behaviours += [(f"CacheBehaviors[{b.get('PathPattern')}]", b)
                   for b in distribution.get("CacheBehaviors", {}).get("Items", [])]
    for name, behaviour in behaviours:
        if behaviour.get("ViewerProtocolPolicy") not in SECURE_VIEWER:
            problems.append(f"{name}.ViewerProtocolPolicy = {behaviour.get('ViewerProtocolPolicy')}")
    for origin in distribution.get("Origins", {}).get("Items", []):
        custom = origin.get("CustomOriginConfig")
        if custom is None:
            continue
        if custom.get("OriginProtocolPolicy") != "https-only":
            problems.append(f"Origins[{origin.get('Id')}].OriginProtocolPolicy = {custom.get('OriginProtocolPolicy')}")
        protocols = custom.get("OriginSslProtocols", {}).get("Items", [])
        if not protocols or set(protocols) != {"TLSv1.2"}:
            problems.append(f"Origins[{origin.get('Id')}].OriginSslProtocols = {protocols}")
    return problems


def cloud_front_tls(account: Account) -> list[Finding]:
    findings = []
    for distribution in _distributions(account.client("cloudfront", REGION)):
        arn = distribution["ARN"]
        problems = _problems(distribution)
        if problems:
            findings.append(failed(arn, DISTRIBUTION, REGION, "; ".join(problems)))
        else:
            version = distribution["ViewerCertificate"]["MinimumProtocolVersion"]
            findings.append(passed(arn, DISTRIBUTION, REGION,
                                   f"ViewerCertificate.MinimumProtocolVersion = {version}, every ViewerProtocolPolicy "
                                   "in redirect-to-https/https-only, custom origins https-only with "
                                   "OriginSslProtocols = ['TLSv1.2']"))
    return findings


CHECK = AuditCheck(
    id="CloudFrontTls",
    clauses=("10.1.1",),
    title="Every CloudFront distribution serves viewers TLS 1.2+ (TLSv1.2_2019 or later, own certificate, "
          "HTTPS-only behaviours) and reaches custom origins over HTTPS with TLS 1.2 only.",
    run=cloud_front_tls,
)
