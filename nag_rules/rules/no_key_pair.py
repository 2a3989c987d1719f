from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import launch_template_of
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved


def no_key_pair(resource: Resource) -> Check:
    where = resource.path
    if resource.type == "AWS::EC2::LaunchTemplate":
        data = resource.prop("LaunchTemplateData")
        if not isinstance(data, dict) or is_intrinsic(data):
            return unresolved(f"{where}: LaunchTemplateData = {show(data)}")
        key = data.get("KeyName")
    else:
        key = resource.prop("KeyName")
    if key is not None:
        return non_compliant(f"{where}: KeyName = {show(key)}: an SSH key opens a way around Session Manager")
    if resource.type == "AWS::EC2::Instance" and resource.prop("LaunchTemplate") is not None:
        template = launch_template_of(resource)
        if not isinstance(template, Resource):
            return unresolved(f"{where}: no KeyName, but {template}, which may name one")
        return no_key_pair(template)
    if resource.type == "AWS::AutoScaling::LaunchConfiguration" and resource.prop("InstanceId") is not None:
        instance = resource.target(resource.prop("InstanceId"))
        if instance is None or instance.type != "AWS::EC2::Instance":
            return unresolved(f"{where}: no KeyName, but InstanceId = {show(resource.prop('InstanceId'))} "
                              "(outside this app) passes on its key pair")
        return no_key_pair(instance)
    return compliant(f"{where}: no KeyName, so no SSH key pair is installed")


RULE = Rule(
    name="NoKeyPair",
    clauses=("9.4.4",),
    resource_types=("AWS::EC2::LaunchTemplate", "AWS::EC2::Instance", "AWS::AutoScaling::LaunchConfiguration"),
    info="The server is launched with an SSH key pair.",
    explanation=(
        "Privileged access to servers is limited, approved and logged: Session Manager is the only "
        "way in. Do not set key_name or key_pair on launch templates, launch configurations or instances."
    ),
    check=no_key_pair,
)
