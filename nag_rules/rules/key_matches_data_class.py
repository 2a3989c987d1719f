from nag_rules.assembly import Resource, show
from nag_rules.cfn import KEY_TYPES, encryption_key_references, tags
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved
from nag_rules.standards import DATA_CLASSIFICATION_TAG


def key_matches_data_class(resource: Resource) -> Check:
    data_class = tags(resource).get(DATA_CLASSIFICATION_TAG)
    references = encryption_key_references(resource)
    if data_class is None or not references:
        return not_applicable("no classification or no key to compare")
    evidence = []
    for field, reference in references:
        key = resource.target(reference)
        if key is not None and key.type == "AWS::KMS::Alias":
            key = key.target(key.prop("TargetKeyId"))
        if key is None or key.type != "AWS::KMS::Key":
            return unresolved(f"{field} = {show(reference)}, not a key of this app: its data class is unknown")
        key_class = tags(key).get(DATA_CLASSIFICATION_TAG)
        if key_class != data_class:
            return non_compliant(f"{DATA_CLASSIFICATION_TAG} = {data_class}, but {field} is {key.path} "
                                 f"({DATA_CLASSIFICATION_TAG} = {key_class})")
        evidence.append(f"{field} = {key.path}")
    return compliant(f"{data_class} data under the {data_class} key: " + "; ".join(evidence))


RULE = Rule(
    name="KeyMatchesDataClass",
    clauses=("8.1.1", "10.1.1", "CLD.9.5.1"),
    resource_types=KEY_TYPES,
    info="The resource is encrypted with the key of another data class.",
    explanation=(
        "Customer data and service-derived data are kept apart: each is encrypted with the key of its own "
        "class, so one class's key policy can never open the other's data. Every key a resource names counts: "
        "its storage key, its managed secret's, each bucket rule's, each table replica's and each volume a "
        "launch template creates (classified by the template's volume tags)."
    ),
    check=key_matches_data_class,
)
