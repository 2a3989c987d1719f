"""RDS clusters and standalone instances encrypted with a customer key, undeletable, backed up a week, with
IAM authentication and PostgreSQL forcing TLS 1.2 or newer, applied (in-sync) on every database (10.1.1, 12.3.1)."""

from typing import Any

from compliance.audit.framework import Account, AuditCheck, Finding, Unverifiable, call, failed, pages, passed, unverified

CLUSTER = "AWS::RDS::DBCluster"
INSTANCE = "AWS::RDS::DBInstance"
MINIMUM_BACKUP_DAYS = 7
TLS_VERSIONS = ("TLSv1.2", "TLSv1.3")
POSTGRES = ("aurora-postgresql", "postgres")
IN_SYNC = "in-sync"


def rds_protection(account: Account) -> list[Finding]:
    rds = account.client("rds")
    findings = []
    for cluster in pages(rds, "describe_db_clusters", "DBClusters"):
        arn = cluster["DBClusterArn"]
        try:
            findings.append(_judge(account, rds, cluster, arn, CLUSTER))
        except Unverifiable as error:
            findings.append(unverified(arn, CLUSTER, account.region, str(error)))
    for instance in pages(rds, "describe_db_instances", "DBInstances"):
        if instance.get("DBClusterIdentifier"):
            continue
        arn = instance["DBInstanceArn"]
        try:
            findings.append(_judge(account, rds, instance, arn, INSTANCE))
        except Unverifiable as error:
            findings.append(unverified(arn, INSTANCE, account.region, str(error)))
    return findings


def _judge(account: Account, rds, db: dict[str, Any], arn: str, kind: str) -> Finding:
    """Every property read and listed; a fail names the ones that fall short first."""
    wrong, seen = [], []
    key = db.get("KmsKeyId")
    manager = call(account.client("kms"), "describe_key", KeyId=key)["KeyMetadata"].get("KeyManager") if key else None
    for ok, words in (
        (db.get("StorageEncrypted") is True, f"StorageEncrypted = {db.get('StorageEncrypted')}"),
        (manager == "CUSTOMER", f"KmsKeyId = {key} (DescribeKey.KeyManager = {manager})"),
        (db.get("DeletionProtection") is True, f"DeletionProtection = {db.get('DeletionProtection')}"),
        ((db.get("BackupRetentionPeriod") or 0) >= MINIMUM_BACKUP_DAYS,
         f"BackupRetentionPeriod = {db.get('BackupRetentionPeriod')}"),
        (db.get("IAMDatabaseAuthenticationEnabled") is True,
         f"IAMDatabaseAuthenticationEnabled = {db.get('IAMDatabaseAuthenticationEnabled')}"),
    ):
        (seen if ok else wrong).append(words)
    api = "DescribeDBClusters" if kind == CLUSTER else "DescribeDBInstances"
    try:
        if db.get("Engine") not in POSTGRES:
            raise Unverifiable(f"{api}.Engine = {db.get('Engine')}: this check reads the TLS parameters of "
                               "PostgreSQL only")
        group, values = (_cluster_parameters if kind == CLUSTER else _instance_parameters)(rds, db)
    except Unverifiable as error:
        if wrong:
            return failed(arn, kind, account.region, f"{api}: failing: {', '.join(wrong)}; TLS unread: {error}")
        raise
    force, minimum = values.get("rds.force_ssl"), values.get("ssl_min_protocol_version")
    (seen if force == "1" else wrong).append(f"{group}: rds.force_ssl = {force}")
    (seen if minimum in TLS_VERSIONS else wrong).append(f"{group}: ssl_min_protocol_version = {minimum}")
    for ok, words in _applied(db, kind):
        (seen if ok else wrong).append(words)
    if wrong:
        return failed(arn, kind, account.region, f"{api}: failing: {', '.join(wrong)}"
                      + (f"; as required: {', '.join(seen)}" if seen else ""))
    return passed(arn, kind, account.region, f"{api}: {', '.join(seen)}")


def _applied(db: dict[str, Any], kind: str) -> list[tuple[bool, str]]:
    """Whether the databases run the parameter group's values: anything but in-sync (pending-reboot, applying)
    means they may still accept the old TLS."""
    if kind == CLUSTER:
        members = db.get("DBClusterMembers") or []
        if not members:
            return [(True, "DBClusterMembers = [] (no instance runs the parameters yet)")]
        return [(m.get("DBClusterParameterGroupStatus") == IN_SYNC,
                 f"DBClusterMembers[{m.get('DBInstanceIdentifier')}].DBClusterParameterGroupStatus = "
                 f"{m.get('DBClusterParameterGroupStatus')}") for m in members]
    return [(g.get("ParameterApplyStatus") == IN_SYNC,
             f"DBParameterGroups[{g.get('DBParameterGroupName')}].ParameterApplyStatus = "
             f"{g.get('ParameterApplyStatus')}") for g in db.get("DBParameterGroups", [])]


def _cluster_parameters(rds, cluster: dict[str, Any]) -> tuple[str, dict[str, str | None]]:
    group = cluster.get("DBClusterParameterGroup", "")
    found = pages(rds, "describe_db_cluster_parameters", "Parameters", DBClusterParameterGroupName=group)
    return f"DescribeDBClusterParameters({group})", {p["ParameterName"]: p.get("ParameterValue") for p in found}


def _instance_parameters(rds, instance: dict[str, Any]) -> tuple[str, dict[str, str | None]]:
    groups = [g["DBParameterGroupName"] for g in instance.get("DBParameterGroups", [])]
    values: dict[str, str | None] = {}
    for group in groups:
        values.update({p["ParameterName"]: p.get("ParameterValue")
                       for p in pages(rds, "describe_db_parameters", "Parameters", DBParameterGroupName=group)})
    return f"DescribeDBParameters({', '.join(groups)})", values


CHECK = AuditCheck(
    id="RdsProtection",
    clauses=("10.1.1", "12.3.1"),
    title="Every RDS cluster and standalone instance is encrypted with a customer managed key, deletion-protected, "
          f"keeps automated backups at least {MINIMUM_BACKUP_DAYS} days, uses IAM authentication and forces TLS 1.2 "
          "or newer with parameters in-sync (applied).",
    run=rds_protection,
)
