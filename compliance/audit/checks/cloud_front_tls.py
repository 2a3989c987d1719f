import re
from typing import Any

from compliance.audit.framework import (Account, AuditCheck, Finding, Unverifiable, call, failed, pages, passed,
                                        unverified)

DISTRIBUTION = "AWS::CloudFront::Distribution"
REGION = "us-east-1"
"""CloudFront is global; its API lives in us-east-1."""
SECURE_VIEWER = {"redirect-to-https", "https-only"}


def _modern(version: str | None) -> bool:
    """TLSv1.2_2019 or later (TLSv1.2_2019/2021/2025, TLSv1.3_*)."""
    match = re.fullmatch(r"TLSv1\.(\d)_(\d{4})", version or "")
    return bool(match) and (int(match[1]), int(match[2])) >= (2, 2019)


def _origin(name: str, config: dict[str, Any], problems: list[str]) -> None:
    """An origin reached over HTTPS with TLS 1.2 only (CustomOriginConfig or GetVpcOrigin's endpoint config)."""
    if config.get("OriginProtocolPolicy") != "https-only":
        problems.append(f"{name}.OriginProtocolPolicy = {config.get('OriginProtocolPolicy')}")
    protocols = (config.get("OriginSslProtocols") or {}).get("Items", [])
    if set(protocols) != {"TLSv1.2"}:
        problems.append(f"{name}.OriginSslProtocols = {protocols}")


def _judge(cloudfront: Any, distribution: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
    """(problems, what was read, what could not be read: VPC origins)."""
    problems, read, unread = [], [], []
    certificate = distribution.get("ViewerCertificate", {})
    if certificate.get("CloudFrontDefaultCertificate"):
        problems.append("ViewerCertificate.CloudFrontDefaultCertificate = True")
    version = certificate.get("MinimumProtocolVersion")
    if not _modern(version):
        problems.append(f"ViewerCertificate.MinimumProtocolVersion = {version}")
    read.append(f"ViewerCertificate.MinimumProtocolVersion = {version}")
    behaviours = [("DefaultCacheBehavior", distribution.get("DefaultCacheBehavior", {}))]
    behaviours += [(f"CacheBehaviors[{b.get('PathPattern')}]", b)
                   for b in distribution.get("CacheBehaviors", {}).get("Items", [])]
    for name, behaviour in behaviours:
        if behaviour.get("ViewerProtocolPolicy") not in SECURE_VIEWER:
            problems.append(f"{name}.ViewerProtocolPolicy = {behaviour.get('ViewerProtocolPolicy')}")
    read.append(f"{len(behaviours)} cache behaviour(s) with ViewerProtocolPolicy in redirect-to-https/https-only")
    custom, vpc = [], []
    for origin in distribution.get("Origins", {}).get("Items", []):
        name = f"Origins[{origin.get('Id')}]"
        if origin.get("CustomOriginConfig") is not None:
            _origin(name, origin["CustomOriginConfig"], problems)
            custom.append(origin.get("Id"))
        elif origin.get("VpcOriginConfig") is not None:
            vpc_id = origin["VpcOriginConfig"].get("VpcOriginId")
            try:
                config = call(cloudfront, "get_vpc_origin", Id=vpc_id)["VpcOrigin"].get("VpcOriginEndpointConfig", {})
            except Unverifiable as error:
                unread.append(f"{name}: {error}")
                continue
            _origin(f"{name} GetVpcOrigin({vpc_id}).VpcOriginEndpointConfig", config, problems)
            vpc.append(origin.get("Id"))
    for kind, ids in (("custom", custom), ("VPC", vpc)):
        if ids:
            read.append(f"{kind} origins {ids} OriginProtocolPolicy = https-only, OriginSslProtocols = ['TLSv1.2']")
    return problems, read, unread


def cloud_front_tls(account: Account) -> list[Finding]:
    cloudfront = account.client("cloudfront", REGION)
    findings = []
    for distribution in pages(cloudfront, "list_distributions", "DistributionList.Items"):
        arn = distribution["ARN"]
        problems, read, unread = _judge(cloudfront, distribution)
        unread_words = f"; VPC origins unread: {'; '.join(unread)}" if unread else ""
        if problems:
            findings.append(failed(arn, DISTRIBUTION, REGION, "; ".join(problems) + unread_words))
        elif unread:
            findings.append(unverified(arn, DISTRIBUTION, REGION, ", ".join(read) + unread_words))
        else:
            findings.append(passed(arn, DISTRIBUTION, REGION, ", ".join(read)))
    return findings


CHECK = AuditCheck(
    id="CloudFrontTls",
    clauses=("10.1.1",),
    title="Every CloudFront distribution serves viewers TLS 1.2+ (TLSv1.2_2019 or later, own certificate, "
          "HTTPS-only behaviours) and reaches custom and VPC origins over HTTPS with TLS 1.2 only.",
    run=cloud_front_tls,
)
