from nag_rules.assembly import Resource, contains_intrinsic, is_intrinsic, show
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved
from nag_rules.standards import API_GATEWAY_TLS_POLICIES


def api_gateway_tls(resource: Resource) -> Check:
    if resource.type in ("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api"):
        if is_intrinsic(resource.prop("DisableExecuteApiEndpoint")):
            return unresolved(f"DisableExecuteApiEndpoint = {show(resource.prop('DisableExecuteApiEndpoint'))}")
        if resource.prop("DisableExecuteApiEndpoint") in (True, "true"):
            return compliant("DisableExecuteApiEndpoint = true: only custom domains with their TLS policy serve it")
        return non_compliant("the default execute-api endpoint is enabled; its TLS policy cannot be raised to 1.2 "
                             "for every endpoint type")
    configurations = resource.prop("DomainNameConfigurations", default=[]) or []
    policies = [resource.prop("SecurityPolicy"), configurations if is_intrinsic(configurations) else None,
                *(c.get("SecurityPolicy") for c in configurations if isinstance(c, dict))]
    if any(contains_intrinsic(p) for p in policies):
        return unresolved("the security policy is known only at deploy time")
    if resource.type == "AWS::ApiGateway::DomainName":
        policy = resource.prop("SecurityPolicy", default="TLS_1_0")
        if policy in API_GATEWAY_TLS_POLICIES:
            return compliant(f"SecurityPolicy = {policy}")
        return non_compliant(f"SecurityPolicy = {show(policy)}")
    weak = [show(c.get("SecurityPolicy", "TLS_1_0")) for c in configurations
            if isinstance(c, dict) and c.get("SecurityPolicy", "TLS_1_0") not in API_GATEWAY_TLS_POLICIES]
    if weak or not configurations:
        return non_compliant(f"SecurityPolicy = {', '.join(weak) or '(absent)'}")
    return compliant("SecurityPolicy = " + ", ".join(show(c.get("SecurityPolicy")) for c in configurations))


RULE = Rule(
    name="ApiGatewayTls",
    clauses=("10.1.1",),
    resource_types=("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api", "AWS::ApiGateway::DomainName",
                    "AWS::ApiGatewayV2::DomainName"),
    info="An API accepts connections below TLS 1.2.",
    explanation=(
        "Communication is encrypted with TLS 1.2: APIs are served only through custom domains whose "
        "security policy is TLS 1.2 or newer, with the default execute-api endpoint disabled (regional "
        "REST APIs default to TLS_1_0)."
    ),
    check=api_gateway_tls,
    security_hub=("APIGateway.11",),
)
