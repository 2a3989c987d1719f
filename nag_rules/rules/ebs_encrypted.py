from typing import Any

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import customer_managed_key
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved


def ebs_encrypted(resource: Resource) -> Check:
    if resource.type == "AWS::EC2::Volume":
        return _volume(resource, resource.properties, resource.path)
    if resource.type == "AWS::EC2::LaunchTemplate":
        return _mappings(resource, resource.prop("LaunchTemplateData", "BlockDeviceMappings"), resource.path)
    mappings = resource.prop("BlockDeviceMappings")
    if mappings is None:
        template = resource.target(resource.prop("LaunchTemplate", "LaunchTemplateId"))
        if template is not None:
            return _mappings(template, template.prop("LaunchTemplateData", "BlockDeviceMappings"), template.path)
    return _mappings(resource, mappings, resource.path)


def _mappings(owner: Resource, mappings: Any, where: str) -> Check:
    if mappings is None:
        return non_compliant(f"{where}: no BlockDeviceMappings, so the root volume's encryption depends on "
                             "the AMI and the account default")
    if is_intrinsic(mappings) or not isinstance(mappings, list):
        return unresolved(f"{where}: BlockDeviceMappings = {show(mappings)}")
    evidence = []
    for mapping in mappings:
        if not isinstance(mapping, dict) or "Ebs" not in mapping:
            continue
        verdict = _volume(owner, mapping["Ebs"], f"{where} {mapping.get('DeviceName', '')}".strip())
        if verdict.outcome.value != "compliant":
            return verdict
        evidence.append(verdict.evidence)
    if not evidence:
        return non_compliant(f"{where}: no EBS mapping, so the root volume's encryption depends on the AMI")
    return compliant("; ".join(evidence))


def _volume(owner: Resource, ebs: Any, where: str) -> Check:
    if not isinstance(ebs, dict):
        return unresolved(f"{where}: Ebs = {show(ebs)}")
    encrypted = ebs.get("Encrypted")
    if is_intrinsic(encrypted):
        return unresolved(f"{where}: Encrypted = {show(encrypted)}")
    if encrypted is not True and encrypted != "true":
        return non_compliant(f"{where}: Encrypted = {show(encrypted) if encrypted is not None else '(absent)'}")
    if "KmsKeyId" not in ebs:
        return non_compliant(f"{where}: Encrypted = true with the AWS managed key aws/ebs, not a customer managed key")
    key = customer_managed_key(owner, ebs["KmsKeyId"], "KmsKeyId")
    if isinstance(key, Check):
        return key
    return compliant(f"{where}: Encrypted = true; KmsKeyId = {key} (customer managed)")


RULE = Rule(
    name="EbsEncrypted",
    clauses=("10.1.1", "CLD.9.5.2"),
    resource_types=("AWS::EC2::LaunchTemplate", "AWS::EC2::Instance", "AWS::EC2::Volume"),
    info="An EBS volume is not encrypted with a customer managed KMS key.",
    explanation=(
        "Server storage is encrypted with the customer managed key of its data class. Give every "
        "launch template an explicit root volume mapping with encrypted=True and kms_key."
    ),
    check=ebs_encrypted,
    security_hub=("EC2.3", "EC2.7"),
)
