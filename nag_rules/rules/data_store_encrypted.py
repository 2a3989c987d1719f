from typing import Any, Callable

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import customer_managed_key
from nag_rules.engine import Check, Outcome, Rule, compliant, non_compliant, not_applicable, unresolved

OPENSEARCH_TLS_POLICIES = ("Policy-Min-TLS-1-2-2019-07", "Policy-Min-TLS-1-2-PFS-2023-10")
"""OpenSearch endpoint policies that offer nothing below TLS 1.2."""

TRUE = (True, "true")

Finding = str | Check
"""Evidence that one setting is right, or the verdict on the one that is not."""


def _prop(resource: Resource, path: str) -> Any:
    """The value at dotted ``path``; an intrinsic met on the way stands for the whole value."""
    value: Any = resource.properties
    for key in path.split("."):
        if is_intrinsic(value):
            return value
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _setting(resource: Resource, path: str, allowed: tuple[Any, ...], default: Any) -> Finding:
    """``path`` holds (or, absent, defaults to) one of ``allowed``."""
    value = _prop(resource, path)
    if is_intrinsic(value):
        return unresolved(f"{path} = {show(value)}")
    shown = f"(absent: {show(default)})" if value is None else show(value)
    if (default if value is None else value) not in allowed:
        return non_compliant(f"{path} = {shown}")
    return f"{path} = {shown}"


def _key(resource: Resource, path: str, absent: str) -> Finding:
    value = _prop(resource, path)
    if value is None:
        return non_compliant(f"{path} absent: {absent}")
    found = customer_managed_key(resource, value, path)
    return found if isinstance(found, Check) else f"{path} = {found} (customer managed)"


def _keyed(resource: Resource, enabled: Finding, path: str, absent: str) -> list[Finding]:
    """Encryption turned on by ``enabled``, and the key at ``path`` unless encryption is plainly off."""
    if isinstance(enabled, Check) and enabled.outcome is Outcome.NON_COMPLIANT:
        return [enabled]
    return [enabled, _key(resource, path, absent)]


def _verdict(*findings: Finding) -> Check:
    for outcome, verdict in ((Outcome.NON_COMPLIANT, non_compliant), (Outcome.UNRESOLVED, unresolved)):
        found = [f.evidence for f in findings if isinstance(f, Check) and f.outcome is outcome]
        if found:
            return verdict("; ".join(found))
    return compliant("; ".join(str(f) for f in findings))


def _database(r: Resource) -> Check:
    return _verdict(*_keyed(r, _setting(r, "StorageEncrypted", TRUE, False), "KmsKeyId",
                            "the AWS managed key aws/rds"))


def _replication_group(r: Resource) -> Check:
    return _verdict(
        *_keyed(r, _setting(r, "AtRestEncryptionEnabled", TRUE, False), "KmsKeyId", "the ElastiCache default key"),
        _setting(r, "TransitEncryptionEnabled", TRUE, False),
        _setting(r, "TransitEncryptionMode", ("required",), "required"),
    )


def _serverless_cache(r: Resource) -> Check:
    return _verdict(_key(r, "KmsKeyId", "an AWS owned key"), "always TLS in transit")


def _domain(r: Resource) -> Check:
    return _verdict(
        *_keyed(r, _setting(r, "EncryptionAtRestOptions.Enabled", TRUE, False), "EncryptionAtRestOptions.KmsKeyId",
                "the AWS managed key aws/es"),
        _setting(r, "NodeToNodeEncryptionOptions.Enabled", TRUE, False),
        _setting(r, "DomainEndpointOptions.EnforceHTTPS", TRUE, False),
        _setting(r, "DomainEndpointOptions.TLSSecurityPolicy", OPENSEARCH_TLS_POLICIES, "the service default"),
    )


def _redshift(r: Resource) -> Check:
    return _verdict(*_keyed(r, _setting(r, "Encrypted", TRUE, True), "KmsKeyId", "an AWS owned key"))


def _file_system(r: Resource) -> Check:
    kind = r.prop("FileSystemType")
    if is_intrinsic(kind):
        return unresolved(f"FileSystemType = {show(kind)}")
    if kind == "LUSTRE":
        deployment = _setting(r, "LustreConfiguration.DeploymentType", ("PERSISTENT_1", "PERSISTENT_2"), "SCRATCH_1")
        if isinstance(deployment, Check) and deployment.outcome is Outcome.NON_COMPLIANT:
            return non_compliant(f"{deployment.evidence}: a scratch file system takes only the FSx service key")
        return _verdict(deployment, _key(r, "KmsKeyId", "the AWS managed key aws/fsx"))
    return _verdict(_key(r, "KmsKeyId", "the AWS managed key aws/fsx"))


def _delivery_stream(r: Resource) -> Check:
    kind = r.prop("DeliveryStreamType", default="DirectPut")
    if is_intrinsic(kind):
        return unresolved(f"DeliveryStreamType = {show(kind)}")
    if kind != "DirectPut":
        source = r.target(_prop(r, "KinesisStreamSourceConfiguration.KinesisStreamARN"))
        where = f"source stream {source.path}" if source is not None else "source"
        return not_applicable(f"DeliveryStreamType = {kind}: records rest only in the {where}, "
                              "under its own encryption")
    path = "DeliveryStreamEncryptionConfigurationInput"
    return _verdict(*_keyed(r, _setting(r, f"{path}.KeyType", ("CUSTOMER_MANAGED_CMK",), "no server-side encryption"),
                            f"{path}.KeyARN", "no customer managed key"))


def _repository(r: Resource) -> Check:
    return _verdict(*_keyed(r, _setting(r, "EncryptionConfiguration.EncryptionType", ("KMS", "KMS_DSSE"), "AES256"),
                            "EncryptionConfiguration.KmsKey", "the AWS managed key aws/ecr"))


def _user_pool(r: Resource) -> Check:
    return non_compliant("encrypted at rest with keys Amazon Cognito owns: a user pool has no property for a customer "
                         "managed key (KMS keys serve only custom sender triggers), so this is the most it gets")


CHECKS: dict[str, Callable[[Resource], Check]] = {
    "AWS::Cognito::UserPool": _user_pool,
    "AWS::DocDB::DBCluster": _database,
    "AWS::Neptune::DBCluster": _database,
    "AWS::ElastiCache::ReplicationGroup": _replication_group,
    "AWS::ElastiCache::ServerlessCache": _serverless_cache,
    "AWS::OpenSearchService::Domain": _domain,
    "AWS::Redshift::Cluster": _redshift,
    "AWS::FSx::FileSystem": _file_system,
    "AWS::KinesisFirehose::DeliveryStream": _delivery_stream,
    "AWS::ECR::Repository": _repository,
}


def data_store_encrypted(resource: Resource) -> Check:
    return CHECKS[resource.type](resource)


RULE = Rule(
    name="DataStoreEncrypted",
    clauses=("10.1.1",),
    resource_types=tuple(CHECKS),
    info="The data store is not encrypted with a customer managed KMS key, or its connections are not TLS only.",
    explanation=(
        "Every data store is encrypted with the customer managed key of its data class, and TLS-capable "
        "ones accept TLS only: DocumentDB and Neptune clusters (StorageEncrypted and KmsKeyId); ElastiCache "
        "replication groups (AtRestEncryptionEnabled, KmsKeyId, TransitEncryptionEnabled, TransitEncryptionMode "
        "required) and serverless caches (KmsKeyId); OpenSearch domains (encryption at rest with KmsKeyId, "
        "node-to-node encryption, EnforceHTTPS with a TLS 1.2 policy); Redshift clusters (KmsKeyId); FSx "
        "file systems (KmsKeyId; Lustre persistent deployments only); Firehose Direct PUT streams "
        "(CUSTOMER_MANAGED_CMK with KeyARN; a stream fed by Kinesis keeps nothing at rest); ECR repositories "
        "(KMS or KMS_DSSE with KmsKey). Cognito user pools are always encrypted with keys AWS owns and take no "
        "customer managed key: each is reported so, and its acknowledgement says why that is accepted."
    ),
    check=data_store_encrypted,
    security_hub=("DocumentDB.1", "Neptune.1", "ElastiCache.4", "ElastiCache.5", "Opensearch.1", "Opensearch.3",
                  "Opensearch.8", "Redshift.10", "DataFirehose.1"),
)
