import re

from compliance.audit.framework import Account, AuditCheck, Finding, Unverifiable, call, failed, pages, passed, unverified

LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
TLS12_ONLY = re.compile(r"ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)-")
"""Policy names of the TLS 1.2+ families; ELBSecurityPolicy-TLS13-1-0/1-1-* still offer TLSv1/TLSv1.1."""
LEGACY = {"SSLv3", "TLSv1", "TLSv1.1"}


def _policy(elbv2, name: str, protocols: dict[str, list[str]]) -> tuple[bool, str]:
    if TLS12_ONLY.match(name):
        return True, f"SslPolicy = {name} (TLS 1.2+ family)"
    if name not in protocols:
        policies = call(elbv2, "describe_ssl_policies", Names=[name])["SslPolicies"]
        protocols[name] = policies[0].get("SslProtocols", []) if policies else []
    offered = protocols[name]
    evidence = f"SslPolicy = {name}, DescribeSSLPolicies.SslProtocols = {offered}"
    return bool(offered) and not LEGACY & set(offered), evidence


def _redirects(actions: list[dict]) -> tuple[bool, str]:
    """Whether the last action of ``actions`` redirects to HTTPS, and what it does."""
    if not actions:
        return False, "no actions"
    last = max(actions, key=lambda action: action.get("Order", 0))
    if last.get("Type") != "redirect":
        return False, f"Type = {last.get('Type')}"
    protocol = last.get("RedirectConfig", {}).get("Protocol")
    return protocol == "HTTPS", f"RedirectConfig.Protocol = {protocol}"


def _http(elbv2, listener: dict) -> tuple[bool, str]:
    ok, what = _redirects(listener.get("DefaultActions", []))
    if not ok:
        return False, f"Protocol = HTTP, DefaultActions {what}"
    wrong = []
    for rule in pages(elbv2, "describe_rules", "Rules", ListenerArn=listener["ListenerArn"]):
        ok, what = _redirects(rule.get("Actions", []))
        if not ok:
            wrong.append(f"priority {rule.get('Priority')} {what}")
    if wrong:
        return False, f"Protocol = HTTP, DescribeRules rules not redirecting to HTTPS: {'; '.join(wrong)}"
    return True, "Protocol = HTTP, DefaultActions and every DescribeRules rule redirect with RedirectConfig.Protocol = HTTPS"


def load_balancer_tls(account: Account) -> list[Finding]:
    elbv2 = account.client("elbv2")
    findings = []
    protocols: dict[str, list[str]] = {}
    for balancer in pages(elbv2, "describe_load_balancers", "LoadBalancers"):
        try:
            listeners = list(pages(elbv2, "describe_listeners", "Listeners",
                                   LoadBalancerArn=balancer["LoadBalancerArn"]))
        except Unverifiable as error:
            findings.append(unverified(balancer["LoadBalancerArn"], BALANCER, account.region, str(error)))
            continue
        for listener in listeners:
            arn, protocol = listener["ListenerArn"], listener.get("Protocol")
            try:
                if protocol in ("HTTPS", "TLS"):
                    if not listener.get("SslPolicy"):
                        findings.append(unverified(arn, LISTENER, account.region,
                                                   f"Protocol = {protocol} but DescribeListeners gave no SslPolicy"))
                        continue
                    ok, evidence = _policy(elbv2, listener["SslPolicy"], protocols)
                    evidence = f"Protocol = {protocol}, {evidence}"
                elif protocol == "HTTP":
                    ok, evidence = _http(elbv2, listener)
                else:
                    continue
            except Unverifiable as error:
                findings.append(unverified(arn, LISTENER, account.region, str(error)))
                continue
            findings.append((passed if ok else failed)(arn, LISTENER, account.region, evidence))
    return findings


CHECK = AuditCheck(
    id="LoadBalancerTls",
    clauses=("10.1.1",),
    title="Every ELBv2 HTTPS/TLS listener offers only TLS 1.2 or later and every HTTP listener only redirects to HTTPS.",
    run=load_balancer_tls,
)
