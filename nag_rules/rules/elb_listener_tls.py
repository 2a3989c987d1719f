from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved
from nag_rules.standards import ELB_TLS_POLICIES


def elb_listener_tls(resource: Resource) -> Check:
    protocol = resource.prop("Protocol")
    if protocol in ("HTTPS", "TLS"):
        policy = resource.prop("SslPolicy")
        if is_intrinsic(policy):
            return unresolved(f"SslPolicy = {show(policy)}")
        if policy is None:
            return non_compliant(f"{protocol} listener without SslPolicy: ELBSecurityPolicy-2016-08 allows TLS 1.0")
        if policy not in ELB_TLS_POLICIES:
            return non_compliant(f"SslPolicy = {policy}: not on the TLS 1.2+ allowlist")
        return compliant(f"{protocol} on port {show(resource.prop('Port'))} with SslPolicy = {policy}")
    if protocol == "HTTP":
        actions = resource.prop("DefaultActions", default=[]) or []
        redirects = [a for a in actions if isinstance(a, dict) and a.get("Type") == "redirect"
                     and (a.get("RedirectConfig") or {}).get("Protocol") == "HTTPS"]
        if actions and len(redirects) == len(actions):
            code = redirects[0]["RedirectConfig"].get("StatusCode")
            return compliant(f"HTTP on port {show(resource.prop('Port'))} only redirects to HTTPS ({code})")
        return non_compliant(f"HTTP listener on port {show(resource.prop('Port'))} serves content instead of "
                             "redirecting to HTTPS")
    if protocol in ("TCP", "UDP", "TCP_UDP"):
        return non_compliant(f"{protocol} listener: traffic passes unencrypted by the load balancer")
    return unresolved(f"Protocol = {show(protocol)}")


RULE = Rule(
    name="ElbListenerTls",
    clauses=("10.1.1",),
    resource_types=("AWS::ElasticLoadBalancingV2::Listener",),
    info="A load balancer listener accepts traffic without TLS 1.2 or newer.",
    explanation=(
        "Communication is encrypted with TLS 1.2: HTTPS and TLS listeners use a security policy from the "
        "TLS 1.2+ allowlist (never the ELBSecurityPolicy-2016-08 default), and HTTP listeners only redirect "
        "to HTTPS."
    ),
    check=elb_listener_tls,
    security_hub=("ELB.1", "ELB.17"),
)
