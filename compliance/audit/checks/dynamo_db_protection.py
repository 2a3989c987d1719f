"""DynamoDB tables encrypted with a customer key, recoverable to any point, undeletable (10.1.1, 12.3.1)."""

from compliance.audit.framework import Account, AuditCheck, Finding, Unverifiable, call, failed, pages, passed, unverified

TABLE = "AWS::DynamoDB::Table"


def dynamodb_protection(account: Account) -> list[Finding]:
    dynamodb = account.client("dynamodb")
    partition = account.session.get_partition_for_region(account.region)
    findings = []
    for name in pages(dynamodb, "list_tables", "TableNames"):
        arn = f"arn:{partition}:dynamodb:{account.region}:{account.account_id}:table/{name}" \
            if account.account_id else name
        try:
            findings.append(_judge(account, dynamodb, name))
        except Unverifiable as error:
            findings.append(unverified(arn, TABLE, account.region, str(error)))
    return findings


def _judge(account: Account, dynamodb, name: str) -> Finding:
    table = call(dynamodb, "describe_table", TableName=name)["Table"]
    sse = table.get("SSEDescription") or {}
    key = sse.get("KMSMasterKeyArn")
    manager = call(account.client("kms", key.split(":")[3]), "describe_key", KeyId=key)["KeyMetadata"] \
        .get("KeyManager") if key else None
    backups = call(dynamodb, "describe_continuous_backups", TableName=name)["ContinuousBackupsDescription"]
    pitr = backups.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus")
    wrong, seen = [], []
    for ok, words in (
        (sse.get("SSEType") == "KMS" and sse.get("Status") == "ENABLED",
         f"DescribeTable.SSEDescription.SSEType = {sse.get('SSEType') or '(absent: AWS owned key)'}, "
         f"Status = {sse.get('Status')}"),
        (manager == "CUSTOMER", f"KMSMasterKeyArn = {key} (DescribeKey.KeyManager = {manager})"),
        (pitr == "ENABLED", f"DescribeContinuousBackups...PointInTimeRecoveryStatus = {pitr}"),
        (table.get("DeletionProtectionEnabled") is True,
         f"DescribeTable.DeletionProtectionEnabled = {table.get('DeletionProtectionEnabled', False)}"),
    ):
        (seen if ok else wrong).append(words)
    if wrong:
        return failed(table["TableArn"], TABLE, account.region,
                      f"failing: {', '.join(wrong)}" + (f"; as required: {', '.join(seen)}" if seen else ""))
    return passed(table["TableArn"], TABLE, account.region, ", ".join(seen))


CHECK = AuditCheck(
    id="DynamoDbProtection",
    clauses=("10.1.1", "12.3.1"),
    title="Every DynamoDB table is encrypted with a customer managed key, has point-in-time recovery and "
          "deletion protection.",
    run=dynamodb_protection,
)
