from compliance.audit.framework import Account, AuditCheck, Finding, Unverifiable, call, failed, pages, passed, unverified

KEY = "AWS::KMS::Key"


def kms_key_rotation(account: Account) -> list[Finding]:
    kms = account.client("kms")
    partition = account.session.get_partition_for_region(account.region)
    findings = []
    for entry in pages(kms, "list_keys", "Keys"):
        key_id = entry["KeyId"]
        arn = entry.get("KeyArn") or f"arn:{partition}:kms:{account.region}:{account.account_id}:key/{key_id}"
        try:
            finding = _judge(account, kms, key_id)
        except Unverifiable as error:
            finding = unverified(arn, KEY, account.region, str(error))
        if finding is not None:
            findings.append(finding)
    return findings


def _judge(account: Account, kms, key_id: str) -> Finding | None:
    """None for keys this check does not judge (AWS managed, disabled, asymmetric, imported or external)."""
    metadata = call(kms, "describe_key", KeyId=key_id)["KeyMetadata"]
    if metadata.get("KeyManager") != "CUSTOMER" or metadata.get("KeyState") != "Enabled" \
            or metadata.get("KeySpec", "SYMMETRIC_DEFAULT") != "SYMMETRIC_DEFAULT" \
            or metadata.get("Origin", "AWS_KMS") != "AWS_KMS":
        return None
    status = call(kms, "get_key_rotation_status", KeyId=key_id)
    enabled = status.get("KeyRotationEnabled")
    evidence = f"GetKeyRotationStatus.KeyRotationEnabled = {enabled}"
    if "RotationPeriodInDays" in status:
        evidence += f", RotationPeriodInDays = {status['RotationPeriodInDays']}"
    return (passed if enabled else failed)(metadata["Arn"], KEY, account.region, evidence)


CHECK = AuditCheck(
    id="KmsKeyRotation",
    clauses=("10.1.1",),
    title="Every enabled symmetric customer managed KMS key rotates its key material automatically.",
    run=kms_key_rotation,
    synth_rule="ISO27017-KmsKeyRotation",
)
