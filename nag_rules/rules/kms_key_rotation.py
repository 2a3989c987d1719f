from typing import Any

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved

DEFAULT_ROTATION_DAYS = 365
MAX_ROTATION_DAYS = 365
"""The control rotates key material yearly."""


def kms_key_rotation(resource: Resource) -> Check:
    spec = resource.prop("KeySpec", default="SYMMETRIC_DEFAULT")
    if is_intrinsic(spec):
        return unresolved(f"KeySpec = {show(spec)}")
    if spec != "SYMMETRIC_DEFAULT":
        return not_applicable(f"KeySpec = {spec}: AWS KMS rotates only symmetric encryption keys")
    origin = resource.prop("Origin", default="AWS_KMS")
    if is_intrinsic(origin):
        return unresolved(f"Origin = {show(origin)}")
    if origin == "EXTERNAL":
        return non_compliant("Origin = EXTERNAL: imported key material cannot rotate automatically")
    rotation = resource.prop("EnableKeyRotation")
    if is_intrinsic(rotation):
        return unresolved(f"EnableKeyRotation = {show(rotation)}")
    if rotation is True or rotation == "true":
        return _period(resource.prop("RotationPeriodInDays"))
    return non_compliant(f"EnableKeyRotation = {show(rotation) if rotation is not None else '(absent: false)'}")


def _period(period: Any) -> Check:
    if period is None:
        return compliant(f"EnableKeyRotation = true; RotationPeriodInDays absent: AWS rotates every "
                         f"{DEFAULT_ROTATION_DAYS} days")
    if isinstance(period, bool) or not (isinstance(period, int) or (isinstance(period, str) and period.isdigit())):
        return unresolved(f"EnableKeyRotation = true; RotationPeriodInDays = {show(period)}")
    days = int(period)
    if days > MAX_ROTATION_DAYS:
        return non_compliant(f"EnableKeyRotation = true; RotationPeriodInDays = {days} (> {MAX_ROTATION_DAYS}: "
                             "not yearly)")
    return compliant(f"EnableKeyRotation = true; RotationPeriodInDays = {days}")


RULE = Rule(
    name="KmsKeyRotation",
    clauses=("10.1.1",),
    resource_types=("AWS::KMS::Key",),
    info="The customer managed KMS key does not rotate automatically at least yearly.",
    explanation=(
        "Encryption of storage and databases relies on customer managed keys; rotating their "
        "key material yearly limits what one compromised key version exposes. Set "
        "enable_key_rotation=True with rotation_period at most 365 days (the constructs in constructs_lib do)."
    ),
    check=kms_key_rotation,
    security_hub=("KMS.4",),
)
