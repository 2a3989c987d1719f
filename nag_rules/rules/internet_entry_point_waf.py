from typing import Any, Callable

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import HOLE, text, text_with_holes
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved

_API, _STAGE = "\x01", "\x02"
"""Stand for the stage's REST API and deploy-time StageName inside a rendered association ARN."""


def internet_entry_point_waf(resource: Resource) -> Check:
    exposure = _EXPOSURE[resource.type](resource)
    if exposure is not None:
        return exposure
    if resource.type == "AWS::CloudFront::Distribution":
        return _distribution_acl(resource)
    return _associated_acl(resource)


def _load_balancer(resource: Resource) -> Check | None:
    kind = resource.prop("Type", default="application")
    scheme = resource.prop("Scheme", default="internet-facing")
    if kind == "gateway":
        return not_applicable("a Gateway Load Balancer takes no traffic from the internet")
    if is_intrinsic(scheme):
        return unresolved(f"Scheme = {show(scheme)}: whether it faces the internet is known only at deploy time")
    if scheme != "internet-facing":
        return not_applicable(f"Scheme = {scheme}")
    if is_intrinsic(kind):
        return unresolved(f"Type = {show(kind)}: whether AWS WAF can protect it is known only at deploy time")
    if kind != "application":
        return non_compliant(f"an internet-facing {kind} load balancer: AWS WAF cannot protect it; put an "
                             "Application Load Balancer or CloudFront in front")
    return None


def _classic_load_balancer(resource: Resource) -> Check | None:
    scheme = resource.prop("Scheme", default="internet-facing")
    if is_intrinsic(scheme):
        return unresolved(f"Scheme = {show(scheme)}: whether it faces the internet is known only at deploy time")
    if scheme != "internet-facing":
        return not_applicable(f"Scheme = {scheme}")
    return non_compliant("Scheme = internet-facing: AWS WAF cannot protect a Classic Load Balancer; replace it "
                         "with an Application Load Balancer behind a web ACL")


def _rest_api_stage(resource: Resource) -> Check | None:
    if resource.type == "AWS::ApiGateway::Deployment" and resource.prop("StageName") is None:
        return not_applicable("the deployment creates no stage")
    api = resource.target(resource.prop("RestApiId"))
    if api is None:
        return None
    configuration = api.prop("EndpointConfiguration", default={})
    types = configuration.get("Types", ["EDGE"]) if isinstance(configuration, dict) and not is_intrinsic(
        configuration) else None
    if not isinstance(types, list) or any(is_intrinsic(t) for t in types):
        return unresolved(f"{api.path}: EndpointConfiguration = {show(configuration)}: whether the API is "
                          "private is known only at deploy time")
    if "PRIVATE" in types:
        return not_applicable(f"{api.path} is a PRIVATE API, reachable only through VPC endpoints")
    return None


def _http_api(resource: Resource) -> Check | None:
    disabled = resource.prop("DisableExecuteApiEndpoint")
    protocol = show(resource.prop("ProtocolType", default="HTTP"))
    if is_intrinsic(disabled):
        return unresolved(f"DisableExecuteApiEndpoint = {show(disabled)}")
    if disabled not in (True, "true"):
        return non_compliant(f"the {protocol} API serves its default execute-api endpoint, and AWS WAF cannot be "
                             "associated with HTTP or WebSocket APIs: disable the endpoint and serve it only "
                             "through CloudFront with a web ACL, or use a REST API")
    assembly = resource.stack.assembly
    mappings = [m for m in assembly.of_type("AWS::ApiGatewayV2::ApiMapping") if m.target(m.prop("ApiId")) is resource]
    if mappings:
        domains = ", ".join(_named(m, m.prop("DomainName")) for m in mappings)
        return unresolved(f"DisableExecuteApiEndpoint = true, but custom domain {domains} serves it "
                          f"({', '.join(m.path for m in mappings)}), which AWS WAF cannot protect either; "
                          "whether only CloudFront with a web ACL reaches it is decided outside the template")
    return compliant(f"DisableExecuteApiEndpoint = true and no custom domain of this app maps this {protocol} API: "
                     "it takes no traffic from the internet directly")


def _graphql_api(resource: Resource) -> Check | None:
    visibility = resource.prop("Visibility", default="GLOBAL")
    if is_intrinsic(visibility):
        return unresolved(f"Visibility = {show(visibility)}")
    if visibility == "PRIVATE":
        return not_applicable("Visibility = PRIVATE: reachable only through VPC endpoints")
    return None


def _function_url(resource: Resource) -> Check | None:
    auth = resource.prop("AuthType")
    if auth == "AWS_IAM":
        return not_applicable("AuthType = AWS_IAM: only signed requests reach it")
    if auth == "NONE":
        return non_compliant("AuthType = NONE: a public function URL cannot be associated with a web ACL; use "
                             "AWS_IAM behind CloudFront with origin access control and a web ACL")
    return unresolved(f"AuthType = {show(auth)}")


def _distribution_acl(resource: Resource) -> Check:
    acl = resource.prop("DistributionConfig", "WebACLId")
    if not acl:
        return non_compliant("DistributionConfig.WebACLId is not set")
    target = resource.target(acl)
    if target is not None and target.type in ("AWS::WAFv2::WebACL", "AWS::WAF::WebACL"):
        return compliant(f"WebACLId = {target.path}")
    if isinstance(acl, str):
        return compliant(f"WebACLId = {acl} (a web ACL outside this app)")
    named = f"{target.type} {target.path}" if target is not None else "a value known only at deploy time"
    return unresolved(f"DistributionConfig.WebACLId = {show(acl)}: {named}, not a web ACL of this app")


def _associated_acl(resource: Resource) -> Check:
    associations = resource.stack.assembly.of_type("AWS::WAFv2::WebACLAssociation")
    association = next((a for a in associations if _names(a, resource)), None)
    if association is None:
        unknown = [a for a in associations if _opaque(a)]
        if unknown:
            return unresolved("no AWS::WAFv2::WebACLAssociation names this entry point, and "
                              + ", ".join(f"{a.path} (ResourceArn = {show(a.prop('ResourceArn'))})" for a in unknown)
                              + " name something known only at deploy time")
        if resource.type in ("AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment") and (
                resource.target(resource.prop("RestApiId")) is None):
            return unresolved(f"no AWS::WAFv2::WebACLAssociation names this stage, and RestApiId = "
                              f"{show(resource.prop('RestApiId'))} is not an API of this app: whether it is "
                              "PRIVATE is unknown")
        return non_compliant("no AWS::WAFv2::WebACLAssociation names this entry point")
    if association.condition and association.condition != resource.condition:
        return unresolved(f"{association.path} is created only if condition {association.condition} holds")
    return compliant(f"web ACL {_named(association, association.prop('WebACLArn'))} protects it through "
                     f"{association.path}")


def _names(association: Resource, resource: Resource) -> bool:
    """The association's ResourceArn names ``resource``: a reference to it (alone or joined into an ARN, as
    CDK's ``stage.stage_arn`` joins the API and the stage), or, for a stage, ``/restapis/<its API>/stages/<its
    StageName>``."""
    arn = association.prop("ResourceArn")
    if association.target(arn) is resource:
        return True
    separator, parts = _parts(arn)
    if resource.type not in ("AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment"):
        return False
    if any(association.target(part) is resource for part in parts if not isinstance(part, str)):
        return True
    stage, api_id = resource.prop("StageName"), resource.prop("RestApiId")
    api = resource.target(api_id)
    if stage is None or (api is None and not isinstance(api_id, str)):
        return False

    def render(part: Any) -> str:
        if api is not None and not isinstance(part, str) and association.target(part) is api:
            return _API
        if not isinstance(stage, str) and part == stage:
            return _STAGE
        return text_with_holes(part, association) or HOLE

    rendered = separator.join(render(part) for part in parts)
    named_stage = stage if isinstance(stage, str) else _STAGE
    return rendered.endswith(f"/restapis/{_API if api is not None else api_id}/stages/{named_stage}")


def _parts(value: Any) -> tuple[str, list[Any]]:
    if isinstance(value, dict) and list(value) == ["Fn::Join"]:
        argument = value["Fn::Join"]
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str) and isinstance(
                argument[1], list):
            return argument[0], argument[1]
    return "", [value]


def _opaque(association: Resource) -> bool:
    """Its ResourceArn is neither literal text nor names any resource of the app: it may name anything."""
    arn = association.prop("ResourceArn")
    _, parts = _parts(arn)
    return text(arn, association) is None and not any(association.target(part) is not None for part in parts)


def _named(owner: Resource, value: Any) -> str:
    target = owner.target(value)
    return target.path if target is not None else show(value)


_EXPOSURE: dict[str, Callable[[Resource], Check | None]] = {
    "AWS::ElasticLoadBalancingV2::LoadBalancer": _load_balancer,
    "AWS::ElasticLoadBalancing::LoadBalancer": _classic_load_balancer,
    "AWS::CloudFront::Distribution": lambda resource: None,
    "AWS::ApiGateway::Stage": _rest_api_stage,
    "AWS::ApiGateway::Deployment": _rest_api_stage,
    "AWS::ApiGatewayV2::Api": _http_api,
    "AWS::AppSync::GraphQLApi": _graphql_api,
    "AWS::Lambda::Url": _function_url,
}
"""Whether a resource of each type takes traffic from the internet, and whether AWS WAF can protect it:
None when it is an entry point a web ACL must protect."""


RULE = Rule(
    name="InternetEntryPointWaf",
    clauses=("CLD.9.5.2",),
    resource_types=tuple(_EXPOSURE),
    info="An internet-facing entry point is not protected by AWS WAF.",
    explanation=(
        "Unauthorised access is blocked at the edge: every internet-facing Application Load Balancer, CloudFront "
        "distribution, public REST API stage and AppSync API is associated with a web ACL. Entry points AWS WAF "
        "cannot protect are violations: internet-facing Network and Classic Load Balancers, function URLs with "
        "AuthType NONE, and HTTP or WebSocket APIs that serve their default execute-api endpoint (disable it "
        "and serve the API only through CloudFront with a web ACL). Internal load balancers, PRIVATE APIs and "
        "IAM-authenticated function URLs are not entry points."
    ),
    check=internet_entry_point_waf,
)
