from nag_rules.assembly import Resource, show
from nag_rules.engine import Check, Rule, compliant, non_compliant


def no_key_pair(resource: Resource) -> Check:
    key = resource.prop("LaunchTemplateData", "KeyName") if resource.type == "AWS::EC2::LaunchTemplate" \
        else resource.prop("KeyName")
    if key is not None:
        return non_compliant(f"KeyName = {show(key)}: an SSH key opens a way around Session Manager")
    return compliant("no KeyName: no SSH key can log in")


RULE = Rule(
    name="NoKeyPair",
    clauses=("9.4.4",),
    resource_types=("AWS::EC2::LaunchTemplate", "AWS::EC2::Instance"),
    info="The server is launched with an SSH key pair.",
    explanation=(
        "Privileged access to servers is limited, approved and logged: Session Manager is the only "
        "way in. Do not set key_name or key_pair on launch templates or instances."
    ),
    check=no_key_pair,
)
