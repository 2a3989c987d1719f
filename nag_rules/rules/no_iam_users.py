from nag_rules.assembly import Resource
from nag_rules.engine import Check, Rule, non_compliant


def no_iam_users(resource: Resource) -> Check:
    return non_compliant("an IAM user has long-lived credentials; people assume roles with MFA instead")


RULE = Rule(
    name="NoIamUsers",
    clauses=("9.4.4", "9.2.3"),
    resource_types=("AWS::IAM::User",),
    info="The app creates an IAM user.",
    explanation=(
        "Privileged access is given to few and for short: people use roles with MFA and one-hour "
        "sessions, never IAM users with long-lived passwords or access keys."
    ),
    check=no_iam_users,
    security_hub=("IAM.2",),
)
