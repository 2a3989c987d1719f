from compliance.audit.framework import Account, AuditCheck, Finding, Unverifiable, call, failed, pages, passed, unverified

DETECTOR = "AWS::GuardDuty::Detector"


def guard_duty_enabled(account: Account) -> list[Finding]:
    guardduty = account.client("guardduty")
    partition = account.session.get_partition_for_region(account.region)
    findings = []
    for detector_id in pages(guardduty, "list_detectors", "DetectorIds"):
        arn = f"arn:{partition}:guardduty:{account.region}:{account.account_id}:detector/{detector_id}"
        try:
            status = call(guardduty, "get_detector", DetectorId=detector_id).get("Status")
        except Unverifiable as error:
            findings.append(unverified(arn, DETECTOR, account.region, str(error)))
            continue
        findings.append((passed if status == "ENABLED" else failed)(
            arn, DETECTOR, account.region, f"GetDetector.Status = {status}"))
    return findings or [failed(f"{account.account_id or 'account'}/{account.region}", DETECTOR, account.region,
                               "ListDetectors.DetectorIds = [] (GuardDuty not enabled)")]


CHECK = AuditCheck(
    id="GuardDutyEnabled",
    clauses=("CLD.12.4.5",),
    title="GuardDuty has an enabled detector in the audited region.",
    run=guard_duty_enabled,
)
