from nag_rules.assembly import Resource
from nag_rules.cfn import HOLE, user_data
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved
from nag_rules.standards import CHRONY_TIME_SYNC


def user_data_time_sync(resource: Resource) -> Check:
    keys = ("LaunchTemplateData", "UserData") if resource.type == "AWS::EC2::LaunchTemplate" else ("UserData",)
    script = user_data(resource, *keys)
    if script is None:
        return non_compliant("no user data: chrony keeps whatever sources the AMI ships with")
    if CHRONY_TIME_SYNC in script.replace(HOLE, ""):
        return compliant(f"user data sets chrony: '{CHRONY_TIME_SYNC}'")
    if HOLE in script:
        return unresolved("user data holds values known only at deploy time and no literal chrony line "
                          f"'{CHRONY_TIME_SYNC}'")
    return non_compliant(f"user data does not contain '{CHRONY_TIME_SYNC}'")


RULE = Rule(
    name="UserDataTimeSync",
    clauses=("12.4.4",),
    resource_types=("AWS::EC2::LaunchTemplate", "AWS::EC2::Instance"),
    info="The server's user data does not configure chrony for the Amazon Time Sync Service.",
    explanation=(
        f"Clocks are synchronised with the Amazon Time Sync Service: user data writes '{CHRONY_TIME_SYNC}' "
        "as a chrony source (the ApplicationServers construct does), so the evidence is in the template."
    ),
    check=user_data_time_sync,
)
