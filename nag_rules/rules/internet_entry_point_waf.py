from nag_rules.assembly import Resource, is_intrinsic, referenced_logical_id, show
from nag_rules.cfn import HOLE, text_with_holes
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable


def internet_entry_point_waf(resource: Resource) -> Check:
    if resource.type == "AWS::CloudFront::Distribution":
        acl = resource.prop("DistributionConfig", "WebACLId")
        if not acl:
            return non_compliant("DistributionConfig.WebACLId is not set")
        target = resource.target(acl)
        return compliant(f"WebACLId = {target.path if target is not None else show(acl)}")
    if resource.type == "AWS::ElasticLoadBalancingV2::LoadBalancer":
        if resource.prop("Scheme", default="internet-facing") != "internet-facing":
            return not_applicable("internal load balancer")
        if resource.prop("Type", default="application") != "application":
            return non_compliant(f"an internet-facing {resource.prop('Type')} load balancer: AWS WAF cannot "
                                 "protect it; put an Application Load Balancer or CloudFront in front")
    association = _association(resource)
    if association is None:
        return non_compliant("no AWS::WAFv2::WebACLAssociation names this entry point")
    acl = association.target(association.prop("WebACLArn"))
    name = acl.path if acl is not None else show(association.prop("WebACLArn"))
    return compliant(f"web ACL {name} protects it through {association.path}")


def _association(resource: Resource) -> Resource | None:
    for association in resource.stack.assembly.of_type("AWS::WAFv2::WebACLAssociation"):
        arn = association.prop("ResourceArn")
        if resource.type == "AWS::ApiGateway::Stage":
            api = referenced_logical_id(resource.prop("RestApiId"))
            stage = resource.prop("StageName")
            joined = text_with_holes(arn, association) or ""
            parts = arn.get("Fn::Join", ["", []])[1] if isinstance(arn, dict) and "Fn::Join" in arn else []
            names_api = any(referenced_logical_id(part) == api for part in parts if is_intrinsic(part))
            if names_api and isinstance(stage, str) and joined.replace(HOLE, "").endswith(f"/stages/{stage}"):
                return association
        elif association.target(arn) is resource:
            return association
    return None


RULE = Rule(
    name="InternetEntryPointWaf",
    clauses=("CLD.9.5.2",),
    resource_types=("AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::CloudFront::Distribution",
                    "AWS::ApiGateway::Stage"),
    info="An internet-facing entry point is not protected by AWS WAF.",
    explanation=(
        "Unauthorised access is blocked at the edge: every internet-facing load balancer, CloudFront "
        "distribution and API stage is associated with a web ACL of AWS managed rules and a rate limit."
    ),
    check=internet_entry_point_waf,
)
