from nag_rules.assembly import Resource, show
from nag_rules.cfn import customer_managed_key, encryption_key_reference
from nag_rules.engine import Check, Rule, compliant, non_compliant

DEFAULTS = {
    "AWS::SNS::Topic": "SNS stores messages unencrypted",
    "AWS::SQS::Queue": "SQS uses SSE-SQS (a key the service owns)",
    "AWS::Logs::LogGroup": "CloudWatch Logs uses a key the service owns",
    "AWS::SecretsManager::Secret": "the AWS managed key aws/secretsmanager",
    "AWS::Kinesis::Stream": "the stream is not encrypted",
    "AWS::EFS::FileSystem": "the AWS managed key aws/elasticfilesystem (if encrypted at all)",
    "AWS::Backup::BackupVault": "the AWS managed key aws/backup",
}


def kms_cmk_encryption(resource: Resource) -> Check:
    key = encryption_key_reference(resource)
    if key is None:
        return non_compliant(f"no KMS key: {DEFAULTS[resource.type]}")
    if resource.type == "AWS::EFS::FileSystem" and resource.prop("Encrypted") not in (True, "true"):
        return non_compliant(f"Encrypted = {show(resource.prop('Encrypted'))}")
    found = customer_managed_key(resource, key, "key")
    if not isinstance(found, str):
        return found
    return compliant(f"encrypted with {found} (customer managed)")


RULE = Rule(
    name="KmsCmkEncryption",
    clauses=("10.1.1",),
    resource_types=tuple(DEFAULTS),
    info="The topic, queue, log group, secret, stream or file system is not encrypted with a customer managed key.",
    explanation=(
        "Everything that holds data is encrypted with the customer managed key of its data class: SNS "
        "topics (master_key), SQS queues (encryption_master_key), log groups (encryption_key), secrets "
        "(encryption_key), Kinesis streams, EFS file systems and backup vaults (encryption_key)."
    ),
    check=kms_cmk_encryption,
    security_hub=("SNS.1", "SQS.1"),
)
