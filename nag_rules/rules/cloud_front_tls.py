from nag_rules.assembly import Resource, show
from nag_rules.engine import Check, Rule, compliant, non_compliant
from nag_rules.standards import CLOUDFRONT_TLS_POLICIES


def cloud_front_tls(resource: Resource) -> Check:
    config = resource.prop("DistributionConfig", default={}) or {}
    certificate = config.get("ViewerCertificate") or {}
    if certificate.get("CloudFrontDefaultCertificate") in (True, "true") or not certificate:
        return non_compliant("the default *.cloudfront.net certificate: viewers may use TLSv1")
    minimum = certificate.get("MinimumProtocolVersion")
    if minimum not in CLOUDFRONT_TLS_POLICIES:
        return non_compliant(f"ViewerCertificate.MinimumProtocolVersion = {show(minimum)}")
    behaviours = [config.get("DefaultCacheBehavior") or {}] + list(config.get("CacheBehaviors") or [])
    plain = [b.get("PathPattern", "default") for b in behaviours if b.get("ViewerProtocolPolicy") == "allow-all"]
    if plain:
        return non_compliant(f"ViewerProtocolPolicy = allow-all on {', '.join(plain)}: viewers may use plain HTTP")
    for origin in config.get("Origins") or []:
        custom = origin.get("CustomOriginConfig")
        if custom is None:
            continue
        if custom.get("OriginProtocolPolicy") != "https-only":
            return non_compliant(f"origin {origin.get('Id')}: OriginProtocolPolicy = {show(custom.get('OriginProtocolPolicy'))}")
        protocols = custom.get("OriginSSLProtocols") or ["TLSv1", "TLSv1.1", "TLSv1.2"]
        if any(p != "TLSv1.2" for p in protocols):
            return non_compliant(f"origin {origin.get('Id')}: OriginSSLProtocols = {show(protocols)}")
    return compliant(f"viewers: {minimum}, HTTP redirected; origins: HTTPS only with TLSv1.2")


RULE = Rule(
    name="CloudFrontTls",
    clauses=("10.1.1",),
    resource_types=("AWS::CloudFront::Distribution",),
    info="The CloudFront distribution allows TLS older than 1.2 or plain HTTP, to viewers or to its origin.",
    explanation=(
        "Communication is encrypted with TLS 1.2 end to end: a custom certificate with minimum protocol "
        "TLSv1.2_2021 or newer (the default certificate allows TLSv1), viewers redirected to HTTPS, and "
        "custom origins reached over HTTPS only with TLSv1.2."
    ),
    check=cloud_front_tls,
    security_hub=("CloudFront.3", "CloudFront.15"),
)
