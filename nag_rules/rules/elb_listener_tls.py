from typing import Any

from nag_rules.assembly import Resource, contains_intrinsic, is_intrinsic, show
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, not_applicable, unresolved
from nag_rules.standards import ELB_TLS_POLICIES

CLASSIC = "AWS::ElasticLoadBalancing::LoadBalancer"
LISTENER_RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"

CLASSIC_TLS_POLICIES = ("ELBSecurityPolicy-TLS-1-2-2017-01",)
"""The predefined Classic Load Balancer policies that offer nothing below TLS 1.2."""


def elb_listener_tls(resource: Resource) -> Check:
    if resource.type == CLASSIC:
        return _classic(resource)
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
        return _http(resource)
    if protocol in ("TCP", "UDP", "TCP_UDP"):
        return non_compliant(f"{protocol} listener: traffic passes unencrypted by the load balancer")
    balancer = resource.target(resource.prop("LoadBalancerArn"))
    if protocol in (None, "GENEVE") and balancer is not None and balancer.prop("Type") == "gateway":
        return not_applicable(f"a listener of Gateway Load Balancer {balancer.path}: it forwards packets unchanged")
    return unresolved(f"Protocol = {show(protocol)}")


def _http(listener: Resource) -> Check:
    """Every action of an HTTP listener, its default actions and those of the listener rules that name it,
    must redirect to HTTPS."""
    port = show(listener.prop("Port"))
    sources: list[tuple[str, Any, bool]] = [("DefaultActions", listener.prop("DefaultActions"), True)]
    for referrer, where in listener.stack.assembly.referrers(listener):
        if referrer.type == LISTENER_RULE and where[:1] == ("ListenerArn",):
            certain = where == ("ListenerArn",)
            label = f"rule {referrer.path}" if certain else f"rule {referrer.path} (ListenerArn may name this listener)"
            sources.append((label, referrer.prop("Actions"), certain))
    problems, unknown, codes = [], [], []
    for label, actions, certain in sources:
        if not isinstance(actions, list) or is_intrinsic(actions):
            unknown.append(f"{label}: actions = {show(actions)}")
            continue
        if not actions:
            (problems if certain else unknown).append(f"{label}: no actions")
        for action in actions:
            kind = action.get("Type") if isinstance(action, dict) else action
            target = (action.get("RedirectConfig") or {}).get("Protocol") if isinstance(action, dict) else None
            if contains_intrinsic(kind) or (kind == "redirect" and contains_intrinsic(target)):
                unknown.append(f"{label}: {show(action)}")
            elif kind != "redirect":
                (problems if certain else unknown).append(f"{label}: {show(kind)} action")
            elif target != "HTTPS":
                (problems if certain else unknown).append(
                    f"{label}: redirect keeping the protocol ({show(target or '#{protocol}')})")
            else:
                codes.append(show(action["RedirectConfig"].get("StatusCode")))
    if problems:
        return non_compliant(f"HTTP listener on port {port} serves content instead of redirecting to HTTPS: "
                             + "; ".join(problems))
    if unknown:
        return unresolved(f"HTTP listener on port {port}: " + "; ".join(unknown))
    rules = [label for label, _, _ in sources[1:]]
    also = f"; so do {', '.join(rules)}" if rules else ""
    return compliant(f"HTTP on port {port} only redirects to HTTPS ({', '.join(dict.fromkeys(codes))}){also}")


def _classic(balancer: Resource) -> Check:
    listeners = balancer.prop("Listeners", default=[])
    policies = balancer.prop("Policies", default=[])
    if not isinstance(listeners, list) or is_intrinsic(listeners):
        return unresolved(f"Listeners = {show(listeners)}")
    if not isinstance(policies, list) or is_intrinsic(policies):
        return unresolved(f"Policies = {show(policies)[:200]}")
    if not listeners:
        return not_applicable("no listeners")
    checks = [_classic_listener(listener, policies) for listener in listeners]
    for outcome in (Outcome.NON_COMPLIANT, Outcome.UNRESOLVED):
        found = [c.evidence for c in checks if c.outcome is outcome]
        if found:
            return Check(outcome, "; ".join(found))
    return compliant("; ".join(c.evidence for c in checks))


def _classic_listener(listener: Any, policies: list[Any]) -> Check:
    if not isinstance(listener, dict) or is_intrinsic(listener):
        return unresolved(f"listener {show(listener)}")
    protocol, port, names = listener.get("Protocol"), show(listener.get("LoadBalancerPort")), listener.get(
        "PolicyNames") or []
    if contains_intrinsic(protocol) or contains_intrinsic(names):
        return unresolved(f"listener on port {port}: Protocol = {show(protocol)}, PolicyNames = {show(names)}")
    protocol = str(protocol).upper()
    if protocol in ("HTTP", "TCP"):
        return non_compliant(f"{protocol} listener on port {port}: a Classic Load Balancer cannot redirect to "
                             "HTTPS, traffic passes unencrypted")
    if protocol not in ("HTTPS", "SSL"):
        return unresolved(f"listener on port {port}: Protocol = {show(listener.get('Protocol'))}")
    negotiation = []
    for policy in policies:
        if not isinstance(policy, dict) or is_intrinsic(policy):
            return unresolved(f"{protocol} listener on port {port}: policy {show(policy)}")
        kind, name, ports = policy.get("PolicyType"), policy.get("PolicyName"), policy.get("LoadBalancerPorts") or []
        if contains_intrinsic([kind, name, ports]):
            return unresolved(f"{protocol} listener on port {port}: policy {show(name)} of type {show(kind)} "
                              f"on ports {show(ports)}")
        if kind == "SSLNegotiationPolicyType" and (name in names or port in [show(p) for p in ports]):
            negotiation.append(policy)
    if not negotiation:
        return non_compliant(f"{protocol} listener on port {port} without an SSLNegotiationPolicyType policy: the "
                             "default ELBSecurityPolicy-2016-08 allows TLS 1.0")
    verdicts = [_negotiation(protocol, port, policy) for policy in negotiation]
    return next((v for v in verdicts if v.outcome is not Outcome.COMPLIANT), verdicts[0])


def _negotiation(protocol: str, port: str, policy: dict[str, Any]) -> Check:
    name = show(policy.get("PolicyName"))
    attributes = policy.get("Attributes") or []
    if not isinstance(attributes, list) or is_intrinsic(attributes):
        return unresolved(f"{protocol} listener on port {port}: policy {name} Attributes = {show(attributes)}")
    reference = next((a.get("Value") for a in attributes
                      if isinstance(a, dict) and a.get("Name") == "Reference-Security-Policy"), None)
    if contains_intrinsic(reference):
        return unresolved(f"{protocol} listener on port {port}: policy {name} Reference-Security-Policy = "
                          f"{show(reference)}")
    if reference in CLASSIC_TLS_POLICIES:
        return compliant(f"{protocol} on port {port} with policy {name} (Reference-Security-Policy = {reference})")
    if reference is None:
        return non_compliant(f"{protocol} listener on port {port}: policy {name} lists its own protocols instead "
                             f"of Reference-Security-Policy = {' or '.join(CLASSIC_TLS_POLICIES)}")
    return non_compliant(f"{protocol} listener on port {port}: policy {name} Reference-Security-Policy = "
                         f"{show(reference)}, not TLS 1.2 only")


RULE = Rule(
    name="ElbListenerTls",
    clauses=("10.1.1",),
    resource_types=("AWS::ElasticLoadBalancingV2::Listener", CLASSIC),
    info="A load balancer listener accepts traffic without TLS 1.2 or newer.",
    explanation=(
        "Communication is encrypted with TLS 1.2: HTTPS and TLS listeners use a security policy from the "
        "TLS 1.2+ allowlist (never the ELBSecurityPolicy-2016-08 default), and HTTP listeners only redirect "
        "to HTTPS, through their default actions and every listener rule attached to them. Classic Load "
        "Balancers cannot redirect: their listeners are HTTPS or SSL with an SSLNegotiationPolicyType policy "
        "whose Reference-Security-Policy is ELBSecurityPolicy-TLS-1-2-2017-01; better, replace them with an "
        "Application or Network Load Balancer."
    ),
    check=elb_listener_tls,
    security_hub=("ELB.1", "ELB.3", "ELB.8", "ELB.17"),
)
