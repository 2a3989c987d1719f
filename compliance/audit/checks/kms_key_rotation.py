from compliance.audit.framework import Account, AuditCheck, Finding, call, failed, pages, passed

KEY = "AWS::KMS::Key"


def kms_key_rotation(account: Account) -> list[Finding]:
    kms = account.client("kms")
    findings = []
    for entry in pages(kms, "list_keys", "Keys"):
        key_id = entry["KeyId"]
        metadata = call(kms, "describe_key", KeyId=key_id)["KeyMetadata"]
        if metadata.get("KeyManager") != "CUSTOMER" or metadata.get("KeyState") != "Enabled" \
                or metadata.get("KeySpec", "SYMMETRIC_DEFAULT") != "SYMMETRIC_DEFAULT" \
                or metadata.get("Origin", "AWS_KMS") != "AWS_KMS":
            continue
        arn = metadata["Arn"]
        status = call(kms, "get_key_rotation_status", KeyId=key_id)
        enabled = status.get("KeyRotationEnabled")
        evidence = f"GetKeyRotationStatus.KeyRotationEnabled = {enabled}"
        if "RotationPeriodInDays" in status:
            evidence += f", RotationPeriodInDays = {status['RotationPeriodInDays']}"
        findings.append((passed if enabled else failed)(arn, KEY, account.region, evidence))
    return findings


CHECK = AuditCheck(
    id="KmsKeyRotation",
    clauses=("10.1.1",),
    title="Every enabled symmetric customer managed KMS key rotates its key material automatically.",
    run=kms_key_rotation,
    synth_rule="ISO27017-KmsKeyRotation",
)
