from nag_rules.assembly import Resource, show
from nag_rules.cfn import tags
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable
from nag_rules.resource_types import DATA_STORE_TYPES
from nag_rules.standards import DATA_CLASSES, DATA_CLASSIFICATION_TAG

UNTAGGABLE = ("AWS::EC2::Volume",)
"""Types whose volumes are tagged by their launch template, not in the template itself."""

LAUNCH_TEMPLATE = "AWS::EC2::LaunchTemplate"


def data_classification_tag(resource: Resource) -> Check:
    if resource.type in UNTAGGABLE:
        return not_applicable("tagged at launch")
    value = tags(resource).get(DATA_CLASSIFICATION_TAG)
    if value is None and resource.type == LAUNCH_TEMPLATE:
        return non_compliant(f"the volumes it launches carry no {DATA_CLASSIFICATION_TAG} tag")
    if value is None:
        return non_compliant(f"no {DATA_CLASSIFICATION_TAG} tag: the asset register cannot say whose data it holds")
    if value not in DATA_CLASSES:
        return non_compliant(f"{DATA_CLASSIFICATION_TAG} = {show(value)}; allowed: {', '.join(DATA_CLASSES)}")
    where = " on the volumes it launches" if resource.type == LAUNCH_TEMPLATE else ""
    return compliant(f"{DATA_CLASSIFICATION_TAG} = {value}{where}")


RULE = Rule(
    name="DataClassificationTag",
    clauses=("8.1.1", "8.2.2"),
    resource_types=(*DATA_STORE_TYPES, LAUNCH_TEMPLATE),
    info="The data store carries no valid DataClassification tag.",
    explanation=(
        "Customer data and service-derived data are identified and kept apart in the asset register: every "
        "stateful resource is tagged DataClassification = customer, service-derived or operations (the "
        "constructs in constructs_lib tag what they create; classify() tags anything else). A launch "
        "template's volumes are classified by the tags it gives them."
    ),
    check=data_classification_tag,
    security_hub=("DynamoDB.5", "RDS.28", "SNS.3", "SQS.2"),
)
