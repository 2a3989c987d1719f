from nag_rules.assembly import Resource, show
from nag_rules.cfn import KEY_PROPERTIES, encryption_key_reference, tags
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved
from nag_rules.standards import DATA_CLASSIFICATION_TAG


def key_matches_data_class(resource: Resource) -> Check:
    data_class = tags(resource).get(DATA_CLASSIFICATION_TAG)
    reference = encryption_key_reference(resource)
    key = resource.target(reference) if reference is not None else None
    if key is not None and key.type == "AWS::KMS::Alias":
        key = key.target(key.prop("TargetKeyId"))
    if data_class is None or reference is None:
        return not_applicable("no classification or no key to compare")
    if key is None or key.type != "AWS::KMS::Key":
        return unresolved(f"encrypted with {show(reference)}, not a key of this app: its data class is unknown")
    key_class = tags(key).get(DATA_CLASSIFICATION_TAG)
    if key_class != data_class:
        return non_compliant(f"{DATA_CLASSIFICATION_TAG} = {data_class}, but encrypted with {key.path} "
                             f"({DATA_CLASSIFICATION_TAG} = {key_class})")
    return compliant(f"{data_class} data encrypted with {key.path}, the {key_class} key")


RULE = Rule(
    name="KeyMatchesDataClass",
    clauses=("8.1.1", "10.1.1"),
    resource_types=tuple(KEY_PROPERTIES),
    info="The resource is encrypted with the key of another data class.",
    explanation=(
        "Customer data and service-derived data are kept apart: each is encrypted with the key of its own "
        "class, so one class's key policy can never open the other's data."
    ),
    check=key_matches_data_class,
)
