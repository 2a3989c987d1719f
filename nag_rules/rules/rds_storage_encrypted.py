from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import customer_managed_key
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved


def rds_storage_encrypted(resource: Resource) -> Check:
    if resource.type == "AWS::RDS::DBInstance" and resource.prop("DBClusterIdentifier") is not None:
        return not_applicable("a cluster member: the cluster's storage setting decides")
    encrypted = resource.prop("StorageEncrypted")
    if is_intrinsic(encrypted):
        return unresolved(f"StorageEncrypted = {show(encrypted)}")
    if encrypted not in (True, "true"):
        return non_compliant(f"StorageEncrypted = {show(encrypted) if encrypted is not None else '(absent: false)'}")
    key = resource.prop("KmsKeyId")
    if key is None:
        return non_compliant("StorageEncrypted = true with the AWS managed key aws/rds, not a customer managed key")
    found = customer_managed_key(resource, key, "KmsKeyId")
    if not isinstance(found, str):
        return found
    return compliant(f"StorageEncrypted = true; KmsKeyId = {found} (customer managed)")


RULE = Rule(
    name="RdsStorageEncrypted",
    clauses=("10.1.1",),
    resource_types=("AWS::RDS::DBCluster", "AWS::RDS::DBInstance"),
    info="The database storage is not encrypted with a customer managed KMS key.",
    explanation=(
        "Databases are encrypted with the customer managed key of their data class: set "
        "storage_encrypted=True and storage_encryption_key on the cluster."
    ),
    check=rds_storage_encrypted,
    security_hub=("RDS.27",),
)
