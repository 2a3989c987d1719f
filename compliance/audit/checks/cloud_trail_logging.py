from compliance.audit.framework import Account, AuditCheck, Finding, Unverifiable, call, failed, passed, unverified

TRAIL = "AWS::CloudTrail::Trail"


def cloud_trail_logging(account: Account) -> list[Finding]:
    # DescribeTrails has no pagination; shadow trails are the multi-region trails homed elsewhere.
    trails = call(account.client("cloudtrail"), "describe_trails", includeShadowTrails=True)["trailList"]
    if not trails:
        return [failed(f"{account.account_id}/{account.region}", "AWS::Account", account.region,
                       "DescribeTrails.trailList = [] (no trail)")]
    findings = []
    for trail in trails:
        arn, home = trail["TrailARN"], trail.get("HomeRegion", account.region)
        try:
            logging = call(account.client("cloudtrail", home), "get_trail_status", Name=arn).get("IsLogging")
        except Unverifiable as error:
            findings.append(unverified(arn, TRAIL, home, str(error)))
            continue
        fields = {"IsMultiRegionTrail": trail.get("IsMultiRegionTrail"),
                  "LogFileValidationEnabled": trail.get("LogFileValidationEnabled"),
                  "KmsKeyId": trail.get("KmsKeyId"), "GetTrailStatus.IsLogging": logging}
        evidence = ", ".join(f"{name} = {value}" for name, value in fields.items())
        findings.append((passed if all(fields.values()) else failed)(arn, TRAIL, home, evidence))
    return findings


CHECK = AuditCheck(
    id="CloudTrailLogging",
    clauses=("12.4.1", "18.1.3", "16.1.7"),
    title="CloudTrail has a logging multi-region trail, and every trail is multi-region, validates its log files, "
          "is KMS-encrypted and logging.",
    run=cloud_trail_logging,
)
