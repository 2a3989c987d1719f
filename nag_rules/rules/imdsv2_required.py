from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved


def imdsv2_required(resource: Resource) -> Check:
    if resource.type == "AWS::EC2::Instance":
        if resource.prop("MetadataOptions") is not None:
            return _options(resource.prop("MetadataOptions"), resource.path)
        template = resource.target(resource.prop("LaunchTemplate", "LaunchTemplateId"))
        if template is None:
            return non_compliant("instance without a launch template of this app: its metadata options "
                                 "default to allowing IMDSv1")
        return _options(template.prop("LaunchTemplateData", "MetadataOptions"), template.path)
    return _options(resource.prop("LaunchTemplateData", "MetadataOptions"), resource.path)


def _options(options: object, where: str) -> Check:
    if options is None:
        return non_compliant(f"{where}: no MetadataOptions, so IMDSv1 stays available")
    if is_intrinsic(options) or not isinstance(options, dict):
        return unresolved(f"{where}: MetadataOptions = {show(options)}")
    if options.get("HttpEndpoint") == "disabled":
        return compliant(f"{where}: HttpEndpoint = disabled (no instance metadata at all)")
    tokens, hops = options.get("HttpTokens"), options.get("HttpPutResponseHopLimit")
    if is_intrinsic(tokens) or is_intrinsic(hops):
        return unresolved(f"{where}: HttpTokens = {show(tokens)}, HttpPutResponseHopLimit = {show(hops)}")
    if tokens != "required":
        return non_compliant(f"{where}: HttpTokens = {show(tokens) if tokens is not None else '(absent: optional)'}")
    if hops is None or not isinstance(hops, int) or hops > 1:
        return non_compliant(f"{where}: HttpTokens = required but HttpPutResponseHopLimit = "
                             f"{show(hops) if hops is not None else '(absent: the AMI default, 2 on Amazon Linux 2023)'}")
    return compliant(f"{where}: HttpTokens = required; HttpPutResponseHopLimit = {hops}")


RULE = Rule(
    name="Imdsv2Required",
    clauses=("CLD.9.5.2",),
    resource_types=("AWS::EC2::LaunchTemplate", "AWS::EC2::Instance"),
    info="The server does not require IMDSv2 with a hop limit of 1.",
    explanation=(
        "Hardened virtual machines only answer session-token (IMDSv2) metadata requests, and only to "
        "the instance itself (hop limit 1), so a server-side request forgery cannot read the role's "
        "credentials. Set require_imdsv2=True and http_put_response_hop_limit=1."
    ),
    check=imdsv2_required,
    security_hub=("EC2.8", "EC2.170"),
)
