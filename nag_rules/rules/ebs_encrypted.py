from typing import Any

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import customer_managed_key, launch_template_of
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, unresolved

ROOT_DEVICE_NAMES = frozenset({"/dev/xvda", "/dev/sda1"})
"""Root device names of the images servers boot: Amazon Linux 2023 and 2 use /dev/xvda, Ubuntu and
Windows /dev/sda1."""

LAUNCH_CONFIGURATION = "AWS::AutoScaling::LaunchConfiguration"


def ebs_encrypted(resource: Resource) -> Check:
    if resource.type == "AWS::EC2::Volume":
        return _volume(resource, resource.properties, resource.path)
    if resource.type == "AWS::EC2::LaunchTemplate":
        data = resource.prop("LaunchTemplateData")
        if not isinstance(data, dict) or is_intrinsic(data):
            return unresolved(f"{resource.path}: LaunchTemplateData = {show(data)}")
        return _mappings(resource, data.get("BlockDeviceMappings"), resource.path)
    mappings = resource.prop("BlockDeviceMappings")
    if mappings is None and resource.type == "AWS::EC2::Instance" and resource.prop("LaunchTemplate") is not None:
        template = launch_template_of(resource)
        if not isinstance(template, Resource):
            return unresolved(f"{resource.path}: no BlockDeviceMappings and {template}")
        return ebs_encrypted(template)
    return _mappings(resource, mappings, resource.path)


def _mappings(owner: Resource, mappings: Any, where: str) -> Check:
    if mappings is None or mappings == []:
        return non_compliant(f"{where}: no BlockDeviceMappings, so the root volume's encryption depends on "
                             "the AMI snapshot and the account default, which the template cannot prove")
    if is_intrinsic(mappings) or not isinstance(mappings, list):
        return unresolved(f"{where}: BlockDeviceMappings = {show(mappings)}")
    verdicts, roots = [], []
    for mapping in mappings:
        if not isinstance(mapping, dict) or is_intrinsic(mapping):
            verdicts.append(unresolved(f"{where}: block device mapping {show(mapping)}"))
            continue
        device = mapping.get("DeviceName")
        root = isinstance(device, str) and device in ROOT_DEVICE_NAMES
        label = f"{where} {show(device)}{' (root)' if root else ''}"
        if "Ebs" not in mapping:
            if root:  # NoDevice or VirtualName: the image's own root volume stays as it is
                verdicts.append(non_compliant(f"{label}: no Ebs, so the root volume comes from the AMI unchanged"))
            continue
        verdicts.append(_volume(owner, mapping["Ebs"], label))
        if root:
            roots.append(label)
    for outcome in (Outcome.NON_COMPLIANT, Outcome.UNRESOLVED):
        found = next((v for v in verdicts if v.outcome is outcome), None)
        if found is not None:
            return found
    if not roots:
        return unresolved(f"{where}: BlockDeviceMappings name no root device ({', '.join(sorted(ROOT_DEVICE_NAMES))}): "
                          "root device of the image unknown; map it explicitly")
    return compliant("; ".join(v.evidence for v in verdicts))


def _volume(owner: Resource, ebs: Any, where: str) -> Check:
    if not isinstance(ebs, dict) or is_intrinsic(ebs):
        return unresolved(f"{where}: Ebs = {show(ebs)}")
    encrypted = ebs.get("Encrypted")
    if is_intrinsic(encrypted):
        return unresolved(f"{where}: Encrypted = {show(encrypted)}")
    if encrypted is not True and encrypted != "true":
        return non_compliant(f"{where}: Encrypted = {show(encrypted) if encrypted is not None else '(absent)'}")
    if owner.type == LAUNCH_CONFIGURATION:
        return non_compliant(f"{where}: Encrypted = true, but a launch configuration cannot name a KMS key: the "
                             "volume gets the account's default EBS key (aws/ebs unless changed outside the "
                             "template); use a launch template with KmsKeyId")
    if "KmsKeyId" not in ebs:
        return non_compliant(f"{where}: Encrypted = true with the AWS managed key aws/ebs, not a customer managed key")
    key = customer_managed_key(owner, ebs["KmsKeyId"], "KmsKeyId")
    if isinstance(key, Check):
        return Check(key.outcome, f"{where}: {key.evidence}")
    return compliant(f"{where}: Encrypted = true; KmsKeyId = {key} (customer managed)")


RULE = Rule(
    name="EbsEncrypted",
    clauses=("10.1.1", "CLD.9.5.2"),
    resource_types=("AWS::EC2::LaunchTemplate", "AWS::EC2::Instance", "AWS::EC2::Volume", LAUNCH_CONFIGURATION),
    info="An EBS volume is not encrypted with a customer managed KMS key.",
    explanation=(
        "Server storage is encrypted with the customer managed key of its data class. Give every "
        "launch template an explicit root volume mapping (/dev/xvda on Amazon Linux, /dev/sda1 on Ubuntu "
        "and Windows) with encrypted=True and kms_key, and encrypt every other EBS mapping the same way. "
        "Launch configurations cannot name a KMS key: use launch templates."
    ),
    check=ebs_encrypted,
    security_hub=("EC2.3", "EC2.7"),
)
