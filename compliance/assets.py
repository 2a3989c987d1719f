"""The asset register (8.1.1, 8.2.2): every stateful resource with its data class, the keys that encrypt it,
the backup plans that select it and how long it keeps data, as the synthesized templates say."""

from __future__ import annotations

from typing import Any

from compliance.stateful import stateful_resources
from nag_rules.assembly import CloudAssembly, Resource, is_intrinsic, show
from nag_rules.cfn import customer_managed_key, encryption_key_references, tags, text
from nag_rules.engine import Check
from nag_rules.rules.backup_plan_daily_retention import delete_after_days, plan_rules, rule_name, schedule
from nag_rules.rules.customer_data_backed_up import ARNS, _selects, same_environment
from nag_rules.rules.dynamo_db_point_in_time_recovery import DEFAULT_RECOVERY_DAYS
from nag_rules.standards import DATA_CLASSIFICATION_TAG

NOT_BACKED_UP = "n/a"
"""What the register says of a type AWS Backup cannot protect."""

MATCHED_TYPES = frozenset(ARNS)
"""Types whose backup selections the register matches (the ones CustomerDataBackedUp knows the ARN of)."""

PROTECTABLE_UNMATCHED = ("AWS::Redshift::Cluster",)
"""Types AWS Backup protects whose selections the register does not match."""

_EXTRA_KEY_FIELDS = ("MasterUserSecret.", "PerformanceInsights")

_CLUSTER_MEMBER_TYPES = ("AWS::RDS::DBInstance",)

# Type: (flag property path, the flag's default, key when true, key when false).
_SERVICE_KEYS: dict[str, tuple[tuple[str, ...], bool, str, str]] = {
    "AWS::SQS::Queue": (("SqsManagedSseEnabled",), True, "SSE-SQS (SQS owned keys)", "unencrypted"),
    "AWS::DynamoDB::Table": (("SSESpecification", "SSEEnabled"), False, "AWS managed key aws/dynamodb",
                             "AWS owned key"),
    "AWS::DynamoDB::GlobalTable": (("SSESpecification", "SSEEnabled"), False, "AWS managed key aws/dynamodb",
                                   "AWS owned key"),
    "AWS::RDS::DBCluster": (("StorageEncrypted",), False, "AWS managed key aws/rds", "unencrypted"),
    "AWS::RDS::DBInstance": (("StorageEncrypted",), False, "AWS managed key aws/rds", "unencrypted"),
    "AWS::DocDB::DBCluster": (("StorageEncrypted",), False, "AWS managed key aws/rds", "unencrypted"),
    "AWS::Neptune::DBCluster": (("StorageEncrypted",), False, "AWS managed key aws/rds", "unencrypted"),
    "AWS::EFS::FileSystem": (("Encrypted",), False, "AWS managed key aws/elasticfilesystem", "unencrypted"),
    "AWS::EC2::Volume": (("Encrypted",), False, "the account's default EBS key (aws/ebs unless changed)",
                         "unencrypted, unless the account encrypts new volumes by default"),
    "AWS::OpenSearchService::Domain": (("EncryptionAtRestOptions", "Enabled"), False, "AWS managed key aws/es",
                                       "unencrypted"),
    "AWS::ElastiCache::ReplicationGroup": (("AtRestEncryptionEnabled",), False, "ElastiCache service managed key",
                                           "unencrypted"),
    "AWS::Redshift::Cluster": (("Encrypted",), False, "AWS managed key aws/redshift",
                               "no key named (Encrypted is not true)"),
}
_FIXED_KEYS = {
    "AWS::Logs::LogGroup": "CloudWatch Logs service key",
    "AWS::SNS::Topic": "unencrypted",
    "AWS::SecretsManager::Secret": "AWS managed key aws/secretsmanager",
    "AWS::Backup::BackupVault": "AWS managed key aws/backup",
    "AWS::Kinesis::Stream": "unencrypted",
    "AWS::FSx::FileSystem": "AWS managed key aws/fsx",
    "AWS::ElastiCache::ServerlessCache": "AWS owned key",
    "AWS::Cognito::UserPool": "Amazon Cognito's own encryption (no customer key)",
}
_S3_ALGORITHMS = {
    "AES256": "SSE-S3 (S3 managed keys)",
    "aws:kms": "SSE-KMS with the AWS managed key aws/s3",
    "aws:kms:dsse": "DSSE-KMS with the AWS managed key aws/s3",
}
_ECR_TYPES = {"AES256": "AES-256 (ECR managed keys)", "KMS": "AWS managed key aws/ecr",
              "KMS_DSSE": "DSSE-KMS with the AWS managed key aws/ecr"}
_FIREHOSE_TYPES = {"AWS_OWNED_CMK": "AWS owned key"}

_BACKUP_RETENTION = {
    "AWS::RDS::DBCluster": ("BackupRetentionPeriod", 1, "automated backups kept {}", "day"),
    "AWS::RDS::DBInstance": ("BackupRetentionPeriod", 1, "automated backups kept {}", "day"),
    "AWS::DocDB::DBCluster": ("BackupRetentionPeriod", 1, "automated backups kept {}", "day"),
    "AWS::Neptune::DBCluster": ("BackupRetentionPeriod", 1, "automated backups kept {}", "day"),
    "AWS::Redshift::Cluster": ("AutomatedSnapshotRetentionPeriod", 1, "automated snapshots kept {}", "day"),
    "AWS::ElastiCache::ReplicationGroup": ("SnapshotRetentionLimit", 0, "automatic snapshots kept {}", "day"),
    "AWS::Kinesis::Stream": ("RetentionPeriodHours", 24, "records kept {}", "hour"),
    "AWS::KMS::Key": ("PendingWindowInDays", 30, "kept until deleted; deletion takes effect {} after it is scheduled",
                      "day"),
}
"""Type: (property, CloudFormation's default, words, unit)."""

KEPT = "kept until deleted"


def asset_register(assembly: CloudAssembly, evaluations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per stateful resource (compliance.stateful's list), sorted by stack and construct path."""
    statuses: dict[str, list[dict[str, str]]] = {}
    for evaluation in evaluations:
        statuses.setdefault(evaluation["path"], []).append({"rule": evaluation["rule"], "status": evaluation["status"]})
    policies = {(e["stack"], e["logical_id"]): e for e in stateful_resources(assembly)}
    entries = []
    for stack in assembly.stacks:
        for resource in stack.resources.values():
            policy = policies.get((stack.stack_name, resource.logical_id))
            if policy is None:
                continue
            classification = tags(resource).get(DATA_CLASSIFICATION_TAG)
            entries.append({
                "stack": stack.display_name,
                "stack_name": stack.stack_name,
                "region": stack.region,
                "path": resource.path,
                "logical_id": resource.logical_id,
                "type": resource.type,
                "classification": (f"known only at deploy time ({show(classification)})"
                                   if is_intrinsic(classification) else classification),
                "kms_keys": kms_keys(resource),
                "backup": backups(resource),
                "retention": retention(resource),
                "deletion_policy": policy["deletion_policy"],
                "update_replace_policy": policy["update_replace_policy"],
                "deletion_protection": policy["deletion_protection"],
                "evaluations": statuses.get(resource.path, []),
            })
    return sorted(entries, key=lambda e: (e["stack"], e["path"]))


def _cluster(resource: Resource) -> Resource | str | None:
    """The cluster an Aurora-style member instance belongs to (its path in words if outside the app)."""
    if resource.type not in _CLUSTER_MEMBER_TYPES:
        return None
    value = resource.prop("DBClusterIdentifier")
    if value is None:
        return None
    cluster = resource.target(value)
    return cluster if cluster is not None else f"cluster {show(value)}"


def kms_keys(resource: Resource) -> list[str]:
    """The customer managed keys that encrypt the resource (their paths), or what encrypts it instead."""
    if resource.type == "AWS::KMS::Key":
        return ["n/a (a KMS key)"]
    cluster = _cluster(resource)
    if isinstance(cluster, Resource):
        found = [(f"{cluster.path}'s key", key) for key in kms_keys(cluster)]
    elif cluster is not None:
        found = [("", f"as its {cluster}")]
    else:
        found = []
    references = encryption_key_references(resource)
    if cluster is None and not [f for f, _ in references if not f.startswith(_EXTRA_KEY_FIELDS)]:
        found.append(("", _service_key(resource)))
    for field, value in references:
        key = customer_managed_key(resource, value, field)
        found.append(("", key.evidence) if isinstance(key, Check) else (field, key))
    unique = list(dict.fromkeys(description for _, description in found))
    if len(unique) == 1:
        return unique
    labelled = [f"{description} ({field})" if field else description for field, description in found]
    return list(dict.fromkeys(labelled))


def _service_key(resource: Resource) -> str:
    """What encrypts a resource that names no key of its own."""
    if resource.type == "AWS::S3::Bucket":
        entries = resource.prop("BucketEncryption", "ServerSideEncryptionConfiguration", default=[]) or []
        if not isinstance(entries, list) or is_intrinsic(entries):
            return f"ServerSideEncryptionConfiguration = {show(entries)}: known only at deploy time"
        algorithms = [(e.get("ServerSideEncryptionByDefault") or {}).get("SSEAlgorithm") for e in entries
                      if isinstance(e, dict)]
        if not algorithms:
            return f"{_S3_ALGORITHMS['AES256']}, the default"
        return "; ".join(_S3_ALGORITHMS.get(a, f"SSEAlgorithm = {show(a)}") if isinstance(a, str)
                         else f"SSEAlgorithm = {show(a)}" for a in algorithms)
    if resource.type == "AWS::ECR::Repository":
        kind = resource.prop("EncryptionConfiguration", "EncryptionType", default="AES256")
        return _ECR_TYPES.get(kind, f"EncryptionType = {show(kind)}") if isinstance(kind, str) else \
            f"EncryptionType = {show(kind)}"
    if resource.type == "AWS::KinesisFirehose::DeliveryStream":
        kind = resource.prop("DeliveryStreamEncryptionConfigurationInput", "KeyType")
        if kind is None:
            return "server-side encryption off"
        return _FIREHOSE_TYPES.get(kind, f"KeyType = {show(kind)}") if isinstance(kind, str) else \
            f"KeyType = {show(kind)}"
    if resource.type in _FIXED_KEYS:
        return _FIXED_KEYS[resource.type]
    if resource.type in _SERVICE_KEYS:
        path, default, on, off = _SERVICE_KEYS[resource.type]
        flag = resource.prop(*path, default=default)
        if flag in (True, "true"):
            return on
        if flag in (False, "false"):
            return off
        return f"{'.'.join(path)} = {show(flag)}: known only at deploy time"
    return "no customer managed key named"


def backups(resource: Resource) -> list[str]:
    """Each AWS Backup plan of the app that selects the resource, with its rules in words; ``["n/a"]`` for a type
    AWS Backup cannot protect; empty when no plan selects it."""
    cluster = _cluster(resource)
    if cluster is not None:
        return [f"with its cluster {cluster.path if isinstance(cluster, Resource) else cluster}"]
    found = _automatic_backups(resource)
    if resource.type in PROTECTABLE_UNMATCHED:
        return found + ["not matched: AWS Backup can protect this type, but the register does not match its "
                        "selections"]
    if resource.type not in MATCHED_TYPES:
        return found or [NOT_BACKED_UP]
    resource_tags = tags(resource)
    for selection in resource.stack.assembly.of_type("AWS::Backup::BackupSelection"):
        same = same_environment(selection.stack, resource.stack)
        if same is False:
            continue
        taken, how = _selects(selection, resource, resource_tags)
        if taken is False:
            continue
        plan = selection.target(selection.prop("BackupPlanId"))
        if plan is None or plan.type != "AWS::Backup::BackupPlan":
            found.append(f"{selection.path} selects it, but its BackupPlanId {show(selection.prop('BackupPlanId'))} "
                         "is no backup plan of this app")
            continue
        doubts = []
        if taken is None:
            doubts.append(f"whether {selection.path} selects it is known only at deploy time: {how}")
        if same is None:
            doubts.append(f"{selection.path} is in {selection.stack.environment}, which may not be the resource's")
        if selection.condition or plan.condition:
            doubts.append(f"exists only under condition {selection.condition or plan.condition}")
        if resource.type == "AWS::S3::Bucket" and resource.prop("VersioningConfiguration", "Status") != "Enabled":
            doubts.append("the bucket is not versioned, and AWS Backup backs up only versioned buckets")
        found.append(_plan_words(plan) + "".join(f"; but {doubt}" for doubt in doubts))
    return found


def _automatic_backups(resource: Resource) -> list[str]:
    if resource.type == "AWS::EFS::FileSystem" and resource.prop("BackupPolicy", "Status") == "ENABLED":
        return ["EFS automatic backups (AWS Backup's aws/efs/automatic-backup-plan: daily, kept 35 days)"]
    return []


def _plan_words(plan: Resource) -> str:
    """``<plan path> (rule "Daily": daily at 18:00 UTC (cron(...)), kept 7 days)``."""
    rules = plan_rules(plan)
    if isinstance(rules, Check):
        return f"{plan.path} ({rules.evidence})"
    words = []
    for entry in rules:
        if not isinstance(entry, dict):
            words.append(f"{rule_name(entry)}: known only at deploy time")
            continue
        _, when = schedule(entry, plan)
        text_ = f"{rule_name(entry)}: {when.removeprefix('runs ')}, {_kept(entry)}"
        if entry.get("EnableContinuousBackup") in (True, "true"):
            text_ += ", continuous backups (point-in-time restore)"
        for copy in entry.get("CopyActions") or []:
            if isinstance(copy, dict):
                destination = copy.get("DestinationBackupVaultArn")
                vault = plan.target(destination)
                where = vault.path if vault is not None else text(destination, plan) or show(destination)
                text_ += f", copied to {where} and {_kept(copy)}"
        words.append(text_)
    return f"{plan.path} ({'; '.join(words) or 'no rules'})"


def _kept(holder: dict[str, Any]) -> str:
    days = delete_after_days(holder)
    if isinstance(days, str):
        return f"kept for a time known only at deploy time ({days})"
    return KEPT if days is None else f"kept {_count(days)}"


def retention(resource: Resource) -> str:
    """How long the resource itself keeps data, in words."""
    cluster = _cluster(resource)
    if cluster is not None:
        return f"as its cluster {cluster.path if isinstance(cluster, Resource) else cluster}"
    kind = resource.type
    if kind == "AWS::Logs::LogGroup":
        days = resource.prop("RetentionInDays")
        return f"{KEPT} (no RetentionInDays)" if days is None else _number(days, "events kept {}")
    if kind == "AWS::S3::Bucket":
        return _bucket_retention(resource)
    if kind == "AWS::DynamoDB::Table":
        return _table_retention(resource.prop("PointInTimeRecoverySpecification"), resource)
    if kind == "AWS::DynamoDB::GlobalTable":
        replicas = [r for r in resource.prop("Replicas", default=[]) or [] if isinstance(r, dict)]
        own = [r for r in replicas if r.get("Region") in (resource.stack.region, None)] or replicas
        return _table_retention(own[0].get("PointInTimeRecoverySpecification") if own else None, resource)
    if kind == "AWS::Backup::BackupVault":
        return _vault_retention(resource)
    if kind == "AWS::SQS::Queue":
        seconds = resource.prop("MessageRetentionPeriod", default=345600)
        return f"messages kept {_duration(seconds)}"
    if kind == "AWS::SNS::Topic":
        days = resource.prop("ArchivePolicy", "MessageRetentionPeriod")
        return "messages not stored after delivery" if days is None else _number(days, "messages archived {}")
    if kind in _BACKUP_RETENTION:
        field, default, words, unit = _BACKUP_RETENTION[kind]
        value = resource.prop(field, default=default)
        if kind == "AWS::ElastiCache::ReplicationGroup" and value in (0, "0"):
            return f"{KEPT}; no automatic snapshots"
        return _number(value, words, unit)
    return KEPT


def _number(value: Any, words: str, unit: str = "day") -> str:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
        return f"{words.format(show(value))}: known only at deploy time"
    return words.format(_count(value, unit))


def _count(value: Any, unit: str = "day") -> str:
    """``1 day``, ``7 days``; a value that is no number as written."""
    number = int(value) if isinstance(value, str) and value.isdigit() else value
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        return f"{show(value)} {unit}s (known only at deploy time)"
    return f"{show(number)} {unit}{'' if number == 1 else 's'}"


def _duration(seconds: Any) -> str:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, str)) or not str(seconds).isdigit():
        return f"MessageRetentionPeriod = {show(seconds)} seconds (known only at deploy time)"
    seconds = int(seconds)
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"


def _table_retention(recovery: Any, resource: Resource) -> str:
    parts = []
    if is_intrinsic(recovery) or (isinstance(recovery, dict) and any(map(is_intrinsic, recovery.values()))):
        parts.append(f"PointInTimeRecoverySpecification = {show(recovery)}: known only at deploy time")
    elif isinstance(recovery, dict) and recovery.get("PointInTimeRecoveryEnabled") in (True, "true"):
        days = recovery.get("RecoveryPeriodInDays", DEFAULT_RECOVERY_DAYS)
        parts.append(f"{KEPT}; point-in-time recovery {_count(days)}")
    else:
        parts.append(KEPT)
    ttl = resource.prop("TimeToLiveSpecification")
    if isinstance(ttl, dict) and ttl.get("Enabled") in (True, "true"):
        parts.append(f"items expire at their {show(ttl.get('AttributeName'))} attribute (time to live)")
    return "; ".join(parts)


def _vault_retention(vault: Resource) -> str:
    lock = vault.prop("LockConfiguration")
    if lock is None:
        return "each recovery point as its plan says (no vault lock)"
    if not isinstance(lock, dict) or any(map(is_intrinsic, [lock, *lock.values()])):
        return f"LockConfiguration = {show(lock)}: known only at deploy time"
    mode = "compliance mode" if lock.get("ChangeableForDays") is not None else "governance mode"
    bounds = [f"at least {_count(lock['MinRetentionDays'])}"] if "MinRetentionDays" in lock else []
    bounds += [f"at most {_count(lock['MaxRetentionDays'])}"] if "MaxRetentionDays" in lock else []
    return f"vault lock ({mode}): each recovery point kept {' and '.join(bounds) or 'as its plan says'}"


def _objects(rule: dict[str, Any]) -> str:
    """The objects a lifecycle rule takes, in words."""
    words = "objects"
    if rule.get("Prefix"):
        words += f" under {show(rule['Prefix'])}"
    filters = rule.get("TagFilters") or []
    if filters:
        words += " tagged " + " and ".join(
            f"{show(f.get('Key'))} = {show(f.get('Value'))}" if isinstance(f, dict) else show(f)
            for f in (filters if isinstance(filters, list) else [filters]))
    for field, relation in (("ObjectSizeGreaterThan", "larger"), ("ObjectSizeLessThan", "smaller")):
        if rule.get(field) is not None:
            words += f" {relation} than {show(rule[field])} bytes"
    return words


def _bucket_retention(bucket: Resource) -> str:
    parts = []
    lock = bucket.prop("ObjectLockConfiguration", "Rule", "DefaultRetention")
    if isinstance(lock, dict):
        period = _count(lock["Days"]) if "Days" in lock else _count(lock.get("Years"), "year")
        parts.append(f"Object Lock ({show(lock.get('Mode'))}): each object version kept at least {period}")
    rules = bucket.prop("LifecycleConfiguration", "Rules", default=[]) or []
    if is_intrinsic(rules) or not isinstance(rules, list):
        parts.append(f"LifecycleConfiguration.Rules = {show(rules)}: known only at deploy time")
        rules = []
    every_object_expires = False
    for rule in rules:
        if not isinstance(rule, dict) or rule.get("Status") != "Enabled":
            continue
        scope = _objects(rule)
        every_object_expires |= scope == "objects" and ("ExpirationInDays" in rule or "ExpirationDate" in rule)
        if "ExpirationInDays" in rule:
            parts.append(f"{scope} expire after {_count(rule['ExpirationInDays'])}")
        if "ExpirationDate" in rule:
            parts.append(f"{scope} expire on {show(rule['ExpirationDate'])}")
        noncurrent = rule.get("NoncurrentVersionExpiration")
        days = noncurrent.get("NoncurrentDays") if isinstance(noncurrent, dict) else \
            rule.get("NoncurrentVersionExpirationInDays")
        if days is not None:
            versions = "noncurrent versions" + ("" if scope == "objects" else f" of {scope}")
            parts.append(f"{versions} expire after {_count(days)}")
    if not every_object_expires and not lock:
        parts.insert(0, KEPT)
    return "; ".join(parts)
