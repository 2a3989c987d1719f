from nag_rules.assembly import Resource, contains_intrinsic, is_intrinsic, show
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, unresolved
from nag_rules.standards import API_GATEWAY_TLS_POLICIES


def api_gateway_tls(resource: Resource) -> Check:
    if resource.type == "AWS::ApiGateway::RestApi":
        return _rest_api(resource)
    if resource.type == "AWS::ApiGatewayV2::Api":
        return _default_endpoint(resource)
    configurations = resource.prop("DomainNameConfigurations", default=[]) or []
    policies = [resource.prop("SecurityPolicy"), configurations if is_intrinsic(configurations) else None,
                *(c.get("SecurityPolicy") for c in configurations if isinstance(c, dict))]
    if any(contains_intrinsic(p) for p in policies):
        return unresolved("the security policy is known only at deploy time")
    if resource.type in ("AWS::ApiGateway::DomainName", "AWS::ApiGateway::DomainNameV2"):
        # A DomainName without SecurityPolicy gets TLS_1_0; DomainNameV2 documents no default.
        default = "TLS_1_0" if resource.type == "AWS::ApiGateway::DomainName" else None
        policy = resource.prop("SecurityPolicy", default=default)
        if policy in API_GATEWAY_TLS_POLICIES:
            return compliant(f"SecurityPolicy = {policy}")
        return non_compliant(f"SecurityPolicy = {'(absent)' if policy is None else show(policy)}")
    weak = [show(c.get("SecurityPolicy", "TLS_1_0")) for c in configurations
            if isinstance(c, dict) and c.get("SecurityPolicy", "TLS_1_0") not in API_GATEWAY_TLS_POLICIES]
    if weak or not configurations:
        return non_compliant(f"SecurityPolicy = {', '.join(weak) or '(absent)'}")
    return compliant("SecurityPolicy = " + ", ".join(show(c.get("SecurityPolicy")) for c in configurations))


def _rest_api(api: Resource) -> Check:
    """The API's own SecurityPolicy governs its execute-api endpoint, and the handshake through custom domains
    mapped to it; without one, only a disabled or private default endpoint is TLS 1.2."""
    policy, mode = api.prop("SecurityPolicy"), api.prop("EndpointAccessMode")
    if contains_intrinsic(policy):
        return unresolved(f"SecurityPolicy = {show(policy)}")
    if policy is not None and policy not in API_GATEWAY_TLS_POLICIES:
        return non_compliant(f"SecurityPolicy = {show(policy)}: not on the TLS 1.2+ allowlist")
    if policy is not None:
        access = f", EndpointAccessMode = {show(mode)}" if mode is not None else ""
        return compliant(f"SecurityPolicy = {policy}{access}")
    endpoint = _default_endpoint(api)
    if endpoint.outcome is not Outcome.NON_COMPLIANT:
        return endpoint
    configuration = api.prop("EndpointConfiguration")
    types = configuration.get("Types") if isinstance(configuration, dict) else configuration
    if is_intrinsic(configuration) or contains_intrinsic(types):
        return unresolved(f"EndpointConfiguration.Types = {show(types)}")
    if types == ["PRIVATE"]:
        return compliant("EndpointConfiguration.Types = [PRIVATE] without SecurityPolicy: API Gateway serves "
                         "private APIs with TLS_1_2")
    return endpoint


def _default_endpoint(api: Resource) -> Check:
    disabled = api.prop("DisableExecuteApiEndpoint")
    if is_intrinsic(disabled):
        return unresolved(f"DisableExecuteApiEndpoint = {show(disabled)}")
    if disabled in (True, "true"):
        return compliant("DisableExecuteApiEndpoint = true: only custom domains with their TLS policy serve it")
    return non_compliant("the default execute-api endpoint is enabled without a TLS 1.2+ SecurityPolicy "
                         "(regional and edge-optimized endpoints default to TLS_1_0)")


RULE = Rule(
    name="ApiGatewayTls",
    clauses=("10.1.1",),
    resource_types=("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api", "AWS::ApiGateway::DomainName",
                    "AWS::ApiGateway::DomainNameV2", "AWS::ApiGatewayV2::DomainName"),
    info="An API accepts connections below TLS 1.2.",
    explanation=(
        "Communication is encrypted with TLS 1.2: a REST API either sets a TLS 1.2+ SecurityPolicy (with "
        "EndpointAccessMode for the SecurityPolicy_ ones) or is served only through custom domains, its "
        "default execute-api endpoint disabled (regional and edge-optimized REST APIs default to TLS_1_0); "
        "HTTP and WebSocket APIs disable their default endpoint; every custom domain (public, private "
        "DomainNameV2, or API Gateway V2) states a security policy of TLS 1.2 or newer."
    ),
    check=api_gateway_tls,
    security_hub=("APIGateway.11",),
)
