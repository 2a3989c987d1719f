from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved


def kms_key_rotation(resource: Resource) -> Check:
    spec = resource.prop("KeySpec", default="SYMMETRIC_DEFAULT")
    if is_intrinsic(spec):
        return unresolved(f"KeySpec = {show(spec)}")
    if spec != "SYMMETRIC_DEFAULT":
        return not_applicable(f"KeySpec = {spec}: AWS KMS rotates only symmetric encryption keys")
    origin = resource.prop("Origin", default="AWS_KMS")
    if origin == "EXTERNAL":
        return non_compliant("Origin = EXTERNAL: imported key material cannot rotate automatically")
    rotation = resource.prop("EnableKeyRotation")
    if is_intrinsic(rotation):
        return unresolved(f"EnableKeyRotation = {show(rotation)}")
    if rotation is True or rotation == "true":
        period = resource.prop("RotationPeriodInDays", default=365)
        return compliant(f"EnableKeyRotation = true; RotationPeriodInDays = {show(period)}")
    return non_compliant(f"EnableKeyRotation = {show(rotation) if rotation is not None else '(absent: false)'}")


RULE = Rule(
    name="KmsKeyRotation",
    clauses=("10.1.1",),
    resource_types=("AWS::KMS::Key",),
    info="The customer managed KMS key does not have automatic rotation enabled.",
    explanation=(
        "Encryption of storage and databases relies on customer managed keys; rotating their "
        "key material yearly limits what one compromised key version exposes. Set "
        "enable_key_rotation=True (the constructs in constructs_lib do)."
    ),
    check=kms_key_rotation,
    security_hub=("KMS.4",),
)
