from compliance.audit.framework import Account, AuditCheck, Finding, failed, pages, passed

LOG_GROUP = "AWS::Logs::LogGroup"


def log_group_retention(account: Account) -> list[Finding]:
    minimum = account.settings.log_retention_days
    findings = []
    for group in pages(account.client("logs"), "describe_log_groups", "logGroups"):
        arn = group.get("logGroupArn") or group["arn"].removesuffix(":*")
        days, key = group.get("retentionInDays"), group.get("kmsKeyId")
        problems = []
        if days is None:
            retention = "retentionInDays absent (never expires)"
        else:
            retention = f"retentionInDays = {days}"
            if days < minimum:
                problems.append(f"{retention} < {minimum}")
            retention += f" (>= {minimum})"
        if not key:
            problems.append("kmsKeyId absent")
        if problems:
            findings.append(failed(arn, LOG_GROUP, account.region, ", ".join(problems)))
        else:
            findings.append(passed(arn, LOG_GROUP, account.region, f"{retention}, kmsKeyId = {key}"))
    return findings


CHECK = AuditCheck(
    id="LogGroupRetention",
    clauses=("12.4.1", "18.1.3"),
    title="Every CloudWatch Logs group keeps its events at least the configured retention (or never expires) "
          "and is encrypted with a KMS key.",
    run=log_group_retention,
)
