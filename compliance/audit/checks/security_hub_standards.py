from compliance.audit.framework import Account, AuditCheck, Finding, Unverifiable, call, failed, pages, passed

HUB = "AWS::SecurityHub::Hub"
FSBP = "aws-foundational-security-best-practices"
NOT_ENABLED = ("InvalidAccessException", "ResourceNotFoundException")


def security_hub_standards(account: Account) -> list[Finding]:
    securityhub = account.client("securityhub")
    try:
        hub = call(securityhub, "describe_hub")
    except Unverifiable as error:
        if error.code not in NOT_ENABLED:
            raise
        return [failed(f"{account.account_id or 'account'}/{account.region}", HUB, account.region,
                       f"DescribeHub: Security Hub not enabled ({error.code})")]
    arn = hub["HubArn"]
    subscriptions = list(pages(securityhub, "get_enabled_standards", "StandardsSubscriptions"))
    statuses = [s.get("StandardsStatus") for s in subscriptions if FSBP in s.get("StandardsArn", "")]
    if "READY" in statuses:
        return [passed(arn, HUB, account.region, f"GetEnabledStandards: {FSBP} StandardsStatus = READY")]
    if statuses:
        return [failed(arn, HUB, account.region, f"GetEnabledStandards: {FSBP} StandardsStatus = {statuses}")]
    enabled = [s.get("StandardsArn") for s in subscriptions]
    return [failed(arn, HUB, account.region, f"GetEnabledStandards: no {FSBP} subscription (StandardsArn = {enabled})")]


CHECK = AuditCheck(
    id="SecurityHubStandards",
    clauses=("CLD.12.4.5", "12.6.1"),
    title="Security Hub is enabled with the AWS Foundational Security Best Practices standard READY.",
    run=security_hub_standards,
)
