from typing import Any

from nag_rules.assembly import Resource, contains_intrinsic, is_intrinsic, show
from nag_rules.cfn import text
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, unresolved
from nag_rules.standards import CLOUDFRONT_TLS_POLICIES

HTTPS_VIEWER_POLICIES = ("redirect-to-https", "https-only")


def cloud_front_tls(resource: Resource) -> Check:
    config = resource.prop("DistributionConfig")
    if not isinstance(config, dict) or is_intrinsic(config):
        return unresolved(f"DistributionConfig = {show(config)[:200]}")
    checks = [_viewer_certificate(config), *_behaviours(config), *_origins(resource, config)]
    for outcome in (Outcome.NON_COMPLIANT, Outcome.UNRESOLVED):
        found = [c.evidence for c in checks if c.outcome is outcome]
        if found:
            return Check(outcome, "; ".join(found))
    return compliant("; ".join(c.evidence for c in checks))


def _viewer_certificate(config: dict[str, Any]) -> Check:
    certificate = config.get("ViewerCertificate") or {}
    if not isinstance(certificate, dict) or is_intrinsic(certificate) or contains_intrinsic(
            certificate.get("CloudFrontDefaultCertificate")):
        return unresolved(f"ViewerCertificate = {show(certificate)}")
    if not certificate or certificate.get("CloudFrontDefaultCertificate") in (True, "true"):
        return non_compliant("the default *.cloudfront.net certificate: viewers may use TLSv1")
    minimum = certificate.get("MinimumProtocolVersion")
    if contains_intrinsic(minimum):
        return unresolved(f"ViewerCertificate.MinimumProtocolVersion = {show(minimum)}")
    if minimum not in CLOUDFRONT_TLS_POLICIES:
        return non_compliant(f"ViewerCertificate.MinimumProtocolVersion = "
                             f"{'absent' if minimum is None else show(minimum)}")
    return compliant(f"viewers: ViewerCertificate.MinimumProtocolVersion = {minimum}")


def _behaviours(config: dict[str, Any]) -> list[Check]:
    others = config.get("CacheBehaviors") or []
    if not isinstance(others, list) or is_intrinsic(others):
        return [unresolved(f"CacheBehaviors = {show(others)[:200]}")]
    checks = []
    for behaviour in [config.get("DefaultCacheBehavior") or {}, *others]:
        if not isinstance(behaviour, dict) or is_intrinsic(behaviour):
            checks.append(unresolved(f"cache behaviour {show(behaviour)[:200]}"))
            continue
        where, policy = show(behaviour.get("PathPattern", "default")), behaviour.get("ViewerProtocolPolicy")
        if contains_intrinsic(policy):
            checks.append(unresolved(f"ViewerProtocolPolicy = {show(policy)} on {where}"))
        elif policy not in HTTPS_VIEWER_POLICIES:
            checks.append(non_compliant(f"ViewerProtocolPolicy = {show(policy)} on {where}: viewers may use "
                                        "plain HTTP"))
        else:
            checks.append(compliant(f"ViewerProtocolPolicy = {policy} on {where}"))
    return checks


def _origins(resource: Resource, config: dict[str, Any]) -> list[Check]:
    origins = config.get("Origins") or []
    if not isinstance(origins, list) or is_intrinsic(origins):
        return [unresolved(f"Origins = {show(origins)[:200]}")]
    checks = []
    for origin in origins:
        if not isinstance(origin, dict) or is_intrinsic(origin):
            checks.append(unresolved(f"origin {show(origin)[:200]}"))
            continue
        name = f"origin {show(origin.get('Id'))}"
        if "CustomOriginConfig" in origin:
            checks.append(_https_only(f"{name} (CustomOriginConfig)", origin["CustomOriginConfig"]))
        elif "VpcOriginConfig" in origin:
            checks.append(_vpc_origin(resource, name, origin["VpcOriginConfig"]))
        elif "S3OriginConfig" in origin:
            checks.append(_s3_origin(resource, f"{name} (S3OriginConfig)", origin.get("DomainName")))
        else:
            checks.append(unresolved(f"{name}: none of CustomOriginConfig, S3OriginConfig, VpcOriginConfig"))
    legacy_custom, legacy_s3 = config.get("CustomOrigin"), config.get("S3Origin")
    if legacy_custom is not None:
        dns = legacy_custom.get("DNSName") if isinstance(legacy_custom, dict) else None
        checks.append(_https_only(f"legacy CustomOrigin {show(dns)}", legacy_custom))
    if legacy_s3 is not None:
        dns = legacy_s3.get("DNSName") if isinstance(legacy_s3, dict) else legacy_s3
        checks.append(_s3_origin(resource, f"legacy S3Origin {show(dns)}", dns))
    return checks


def _https_only(name: str, settings: Any, default_policy: str | None = None) -> Check:
    """OriginProtocolPolicy https-only and OriginSSLProtocols TLSv1.2 alone."""
    if not isinstance(settings, dict) or is_intrinsic(settings):
        return unresolved(f"{name}: {show(settings)[:200]}")
    policy = settings.get("OriginProtocolPolicy", default_policy)
    protocols = settings.get("OriginSSLProtocols")
    if contains_intrinsic(policy):
        return unresolved(f"{name}: OriginProtocolPolicy = {show(policy)}")
    shown = show(policy) if "OriginProtocolPolicy" in settings else f"{policy} (the default)" if policy else "absent"
    if policy != "https-only":
        return non_compliant(f"{name}: OriginProtocolPolicy = {shown}: CloudFront may reach it over plain HTTP")
    if contains_intrinsic(protocols):
        return unresolved(f"{name}: OriginSSLProtocols = {show(protocols)}")
    if protocols is None:
        return non_compliant(f"{name}: OriginSSLProtocols absent: not stated as TLSv1.2 only")
    if not isinstance(protocols, list) or set(protocols) != {"TLSv1.2"}:
        return non_compliant(f"{name}: OriginSSLProtocols = {show(protocols)}")
    return compliant(f"{name}: OriginProtocolPolicy = https-only, OriginSSLProtocols = [TLSv1.2]")


def _vpc_origin(resource: Resource, name: str, settings: Any) -> Check:
    reference = settings.get("VpcOriginId") if isinstance(settings, dict) else settings
    vpc_origin = resource.target(reference)
    if vpc_origin is None or vpc_origin.type != "AWS::CloudFront::VpcOrigin":
        what = f"{vpc_origin.type} {vpc_origin.path}" if vpc_origin is not None else "a VPC origin outside this app"
        return unresolved(f"{name}: VpcOriginConfig.VpcOriginId = {show(reference)}, {what}: its protocols "
                          "cannot be read")
    # CloudFormation's default OriginProtocolPolicy for a VPC origin is match-viewer.
    return _https_only(f"{name} (VPC origin {vpc_origin.path})", vpc_origin.prop("VpcOriginEndpointConfig"),
                       default_policy="match-viewer")


def _s3_origin(resource: Resource, name: str, domain: Any) -> Check:
    found = text(domain, resource)
    if found is not None and ".s3-website" in found:
        return non_compliant(f"{name}: {found} is an S3 website endpoint, which serves plain HTTP only")
    return compliant(f"{name}: an S3 REST origin, reached with the viewer's protocol, HTTPS as every behaviour "
                     "requires")


RULE = Rule(
    name="CloudFrontTls",
    clauses=("10.1.1",),
    resource_types=("AWS::CloudFront::Distribution",),
    info="The CloudFront distribution allows TLS older than 1.2 or plain HTTP, to viewers or to its origin.",
    explanation=(
        "Communication is encrypted with TLS 1.2 end to end: a custom certificate with minimum protocol "
        "TLSv1.2_2021 or newer (the default certificate allows TLSv1), every cache behaviour redirecting "
        "viewers to HTTPS (or HTTPS only), and every custom origin, legacy CustomOrigin and VPC origin "
        "(AWS::CloudFront::VpcOrigin) reached with OriginProtocolPolicy https-only and OriginSSLProtocols "
        "[TLSv1.2]. S3 REST origins are reached with the viewer's protocol; S3 website endpoints serve HTTP "
        "only and are refused."
    ),
    check=cloud_front_tls,
    security_hub=("CloudFront.3", "CloudFront.9", "CloudFront.10", "CloudFront.15"),
)
