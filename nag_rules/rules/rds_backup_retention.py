from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.engine import Check, Rule, compliant, non_compliant, not_applicable, unresolved

MINIMUM_RETENTION_DAYS = 7
DEFAULT_RETENTION_DAYS = 1
"""CloudFormation's BackupRetentionPeriod when the property is absent, for clusters and instances alike."""


def rds_backup_retention(resource: Resource) -> Check:
    if resource.type == "AWS::RDS::DBInstance" and resource.prop("DBClusterIdentifier") is not None:
        return not_applicable("a cluster member: the cluster's retention decides")
    days = resource.prop("BackupRetentionPeriod")
    if is_intrinsic(days):
        return unresolved(f"BackupRetentionPeriod = {show(days)}")
    if days is None:
        return non_compliant(f"BackupRetentionPeriod = (absent: CloudFormation default {DEFAULT_RETENTION_DAYS} day)")
    if isinstance(days, str) and days.isdigit():
        days = int(days)
    if not isinstance(days, int) or isinstance(days, bool):
        return unresolved(f"BackupRetentionPeriod = {show(days)} is not a number of days")
    if days == 0:
        return non_compliant("BackupRetentionPeriod = 0: automated backups are disabled")
    if days < MINIMUM_RETENTION_DAYS:
        return non_compliant(f"BackupRetentionPeriod = {days} (< {MINIMUM_RETENTION_DAYS})")
    return compliant(f"BackupRetentionPeriod = {days}: automated backups kept {days} days")


RULE = Rule(
    name="RdsBackupRetention",
    clauses=("12.3.1",),
    resource_types=("AWS::RDS::DBCluster", "AWS::RDS::DBInstance"),
    info="The database keeps automated backups for less than 7 days.",
    explanation=(
        "The whitepaper promises backups kept for one week: RDS automated backups (daily snapshots and "
        "transaction logs for point-in-time restore) must be kept at least 7 days. CloudFormation keeps 1 day "
        "when BackupRetentionPeriod is absent. Set backup=rds.BackupProps(retention=Duration.days(7)) on the "
        "cluster (backup_retention on an instance); a cluster's instances are judged by their cluster."
    ),
    check=rds_backup_retention,
    security_hub=("RDS.50",),
)
