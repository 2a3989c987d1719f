from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved
from nag_rules.standards import CLOUDFRONT_TLS_POLICIES, ELB_TLS_POLICIES, KMS_KEY_SPECS


def approved_algorithms(resource: Resource) -> Check:
    if resource.type == "AWS::KMS::Key":
        spec = resource.prop("KeySpec", default="SYMMETRIC_DEFAULT")
        if is_intrinsic(spec):
            return unresolved(f"KeySpec = {show(spec)}")
        if spec not in KMS_KEY_SPECS:
            return non_compliant(f"KeySpec = {show(spec)}: not a standard algorithm of AWS KMS")
        return compliant(f"KeySpec = {spec}: {KMS_KEY_SPECS[spec]}, in AWS KMS hardware security modules")
    if resource.type == "AWS::ElasticLoadBalancingV2::Listener":
        policy = resource.prop("SslPolicy")
        if resource.prop("Protocol") not in ("HTTPS", "TLS"):
            return not_applicable("no TLS on this listener")
        if policy in ELB_TLS_POLICIES:
            return compliant(f"SslPolicy = {policy}: TLS 1.2/1.3 with AES-GCM and ECDHE key exchange")
        return non_compliant(f"SslPolicy = {show(policy)}")
    minimum = resource.prop("DistributionConfig", "ViewerCertificate", "MinimumProtocolVersion")
    if minimum in CLOUDFRONT_TLS_POLICIES:
        return compliant(f"MinimumProtocolVersion = {minimum}: TLS 1.2/1.3 with AES-GCM or ChaCha20-Poly1305")
    return non_compliant(f"MinimumProtocolVersion = {show(minimum)}")


RULE = Rule(
    name="ApprovedAlgorithms",
    clauses=("18.1.5",),
    resource_types=("AWS::KMS::Key", "AWS::ElasticLoadBalancingV2::Listener", "AWS::CloudFront::Distribution"),
    info="Encryption uses an algorithm or protocol suite outside the standard ones the whitepaper relies on.",
    explanation=(
        "The service uses standard, publicly specified cryptography only (AES-256-GCM in AWS KMS, TLS 1.2 "
        "and 1.3 suites), and no export-controlled custom encryption: each key's spec and each endpoint's "
        "TLS policy is evidence of which algorithms are in use."
    ),
    check=approved_algorithms,
)
