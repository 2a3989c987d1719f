from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import launch_template_of
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved


def imdsv2_required(resource: Resource) -> Check:
    if resource.type == "AWS::EC2::LaunchTemplate":
        data = resource.prop("LaunchTemplateData")
        if not isinstance(data, dict) or is_intrinsic(data):
            return unresolved(f"{resource.path}: LaunchTemplateData = {show(data)}")
        return _options(data.get("MetadataOptions"), resource.path)
    if resource.type == "AWS::EC2::Instance" and resource.prop("MetadataOptions") is None:
        spec = resource.prop("LaunchTemplate")
        if spec is None:
            return non_compliant(f"{resource.path}: no MetadataOptions and no launch template, so IMDSv1 "
                                 "stays available")
        template = launch_template_of(resource)
        if not isinstance(template, Resource):
            return unresolved(f"{resource.path}: no MetadataOptions and {template}")
        return imdsv2_required(template)
    # an instance's or a launch configuration's own MetadataOptions
    return _options(resource.prop("MetadataOptions"), resource.path)


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
    if isinstance(hops, str) and hops.isdigit():
        hops = int(hops)
    if not isinstance(hops, int) or isinstance(hops, bool) or hops > 1:
        shown = show(hops) if hops is not None else "(absent: the AMI default, 2 on Amazon Linux 2023)"
        return non_compliant(f"{where}: HttpTokens = required but HttpPutResponseHopLimit = {shown}")
    return compliant(f"{where}: HttpTokens = required; HttpPutResponseHopLimit = {hops}")


RULE = Rule(
    name="Imdsv2Required",
    clauses=("CLD.9.5.2",),
    resource_types=("AWS::EC2::LaunchTemplate", "AWS::EC2::Instance", "AWS::AutoScaling::LaunchConfiguration"),
    info="The server does not require IMDSv2 with a hop limit of 1.",
    explanation=(
        "Hardened virtual machines only answer session-token (IMDSv2) metadata requests, and only to "
        "the instance itself (hop limit 1), so a server-side request forgery cannot read the role's "
        "credentials. Set require_imdsv2=True and http_put_response_hop_limit=1 (MetadataOptions "
        "HttpTokens = required, HttpPutResponseHopLimit = 1 on launch configurations)."
    ),
    check=imdsv2_required,
    security_hub=("EC2.8", "EC2.170"),
)
