"""Where the data lies (6.1.3): buckets by their location, and no volume, database or table outside Japan."""

from compliance.audit.framework import (Account, AuditCheck, Finding, Unverifiable, call, failed, pages, passed,
                                        unverified)
from config.settings import JAPAN_REGIONS

BUCKET = "AWS::S3::Bucket"
ACCOUNT = "AWS::Account"
LEGACY_LOCATIONS = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}
"""What GetBucketLocation answers for buckets in us-east-1 (null) and for the oldest buckets in Ireland."""

STORES = (
    ("ec2", "describe_volumes", "DescribeVolumes", "Volumes", "AWS::EC2::Volume"),
    ("rds", "describe_db_instances", "DescribeDBInstances", "DBInstances", "AWS::RDS::DBInstance"),
    ("rds", "describe_db_clusters", "DescribeDBClusters", "DBClusters", "AWS::RDS::DBCluster"),
    ("dynamodb", "list_tables", "ListTables", "TableNames", "AWS::DynamoDB::Table"),
)
"""(service, operation, API, result key, type) of the stores that must not exist outside Japan."""


def resources_in_japan(account: Account) -> list[Finding]:
    findings = _buckets(account)
    try:
        regions = call(account.client("ec2"), "describe_regions", AllRegions=False)["Regions"]
    except Unverifiable as error:
        return [*findings, unverified(_account_id(account), ACCOUNT, account.region,
                                      f"{error}: the regions to search for volumes, databases and tables are unknown")]
    for name in sorted(r["RegionName"] for r in regions if r["RegionName"] not in JAPAN_REGIONS):
        findings += _region(account, name)
    return findings


def _buckets(account: Account) -> list[Finding]:
    s3 = account.client("s3")
    partition = account.session.get_partition_for_region(account.region)
    findings = []
    for bucket in pages(s3, "list_buckets", "Buckets"):
        arn = f"arn:{partition}:s3:::{bucket['Name']}"
        try:
            location = call(s3, "get_bucket_location", Bucket=bucket["Name"]).get("LocationConstraint")
        except Unverifiable as error:
            findings.append(unverified(arn, BUCKET, account.region, str(error)))
            continue
        region = LEGACY_LOCATIONS.get(location, location)
        evidence = f"GetBucketLocation.LocationConstraint = {location}" + (f" ({region})" if region != location else "")
        findings.append((passed if region in JAPAN_REGIONS else failed)(arn, BUCKET, region, evidence))
    return findings


def _region(account: Account, region: str) -> list[Finding]:
    """One fail per store found in ``region``; a pass when every API answered with none."""
    findings, unread = [], []
    for service, operation, api, key, kind in STORES:
        try:
            found = list(pages(account.client(service, region), operation, key))
        except Unverifiable as error:
            unread.append(str(error))
            continue
        for item in found:
            resource = _identify(account, region, kind, item)
            findings.append(failed(resource, kind, region, f"{api} in {region} lists {resource}: outside "
                                   f"{' and '.join(JAPAN_REGIONS)}"))
    where = f"{_account_id(account)}/{region}"
    if unread:
        findings.append(unverified(where, ACCOUNT, region, "; ".join(unread)))
    elif not findings:
        findings.append(passed(where, ACCOUNT, region, "no volumes, databases or tables: "
                               + ", ".join(api for _, _, api, _, _ in STORES) + " returned none"))
    return findings


def _identify(account: Account, region: str, kind: str, item: dict | str) -> str:
    partition = account.session.get_partition_for_region(region)
    if kind == "AWS::EC2::Volume":
        return f"arn:{partition}:ec2:{region}:{account.account_id}:volume/{item['VolumeId']}" \
            if account.account_id else item["VolumeId"]
    if kind == "AWS::DynamoDB::Table":
        return f"arn:{partition}:dynamodb:{region}:{account.account_id}:table/{item}" if account.account_id else item
    return item["DBInstanceArn"] if kind == "AWS::RDS::DBInstance" else item["DBClusterArn"]


def _account_id(account: Account) -> str:
    return account.account_id or "account"


CHECK = AuditCheck(
    id="ResourcesInJapan",
    clauses=("6.1.3",),
    title="Every S3 bucket is located in a Japanese region and no EBS volume, RDS database or DynamoDB table "
          "exists in any other region.",
    run=resources_in_japan,
)
