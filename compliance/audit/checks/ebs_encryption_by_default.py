"""New EBS volumes of the audited region are encrypted with a customer managed key by default (10.1.1)."""

from compliance.audit.framework import Account, AuditCheck, Finding, call, failed, passed

AWS_MANAGED = "alias/aws/ebs"


def ebs_encryption_by_default(account: Account) -> list[Finding]:
    ec2 = account.client("ec2")
    where = f"{account.account_id or 'account'}/{account.region}"
    enabled = call(ec2, "get_ebs_encryption_by_default").get("EbsEncryptionByDefault")
    key = call(ec2, "get_ebs_default_kms_key_id").get("KmsKeyId")
    evidence = f"GetEbsEncryptionByDefault.EbsEncryptionByDefault = {enabled}, GetEbsDefaultKmsKeyId.KmsKeyId = {key}"
    if enabled is not True or not key or key == AWS_MANAGED:
        return [failed(where, "AWS::Account", account.region, evidence)]
    kms = account.client("kms", key.split(":")[3] if key.startswith("arn:") else None)
    manager = call(kms, "describe_key", KeyId=key)["KeyMetadata"].get("KeyManager")
    evidence += f" (DescribeKey.KeyManager = {manager})"
    return [(passed if manager == "CUSTOMER" else failed)(where, "AWS::Account", account.region, evidence)]


CHECK = AuditCheck(
    id="EbsEncryptionByDefault",
    clauses=("10.1.1",),
    title="EBS encryption by default is on in the audited region, with a customer managed default key.",
    run=ebs_encryption_by_default,
)
