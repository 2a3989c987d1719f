"""CloudTrail records every management event of every region, validated, encrypted and logging (12.4.1, 18.1.3,
16.1.7). Each trail is read in its home region (GetTrailStatus, GetEventSelectors)."""

from typing import Any

from compliance.audit.framework import Account, AuditCheck, Finding, Unverifiable, call, failed, passed, unverified

TRAIL = "AWS::CloudTrail::Trail"


def cloud_trail_logging(account: Account) -> list[Finding]:
    # DescribeTrails has no pagination; shadow trails are the multi-region trails homed elsewhere.
    trails = call(account.client("cloudtrail"), "describe_trails", includeShadowTrails=True)["trailList"]
    if not trails:
        return [failed(f"{account.account_id or 'account'}/{account.region}", "AWS::Account", account.region,
                       "DescribeTrails.trailList = [] (no trail)")]
    findings = []
    for trail in trails:
        arn, home = trail["TrailARN"], trail.get("HomeRegion", account.region)
        cloudtrail = account.client("cloudtrail", home)
        try:
            logging = call(cloudtrail, "get_trail_status", Name=arn).get("IsLogging")
            selectors = call(cloudtrail, "get_event_selectors", TrailName=arn)
        except Unverifiable as error:
            findings.append(unverified(arn, TRAIL, home, str(error)))
            continue
        management, events = _management_events(selectors)
        fields = {"IsMultiRegionTrail": trail.get("IsMultiRegionTrail"),
                  "LogFileValidationEnabled": trail.get("LogFileValidationEnabled"),
                  "KmsKeyId": trail.get("KmsKeyId"), "GetTrailStatus.IsLogging": logging}
        evidence = ", ".join(f"{name} = {value}" for name, value in fields.items()) + f", {events}"
        findings.append((passed if all(fields.values()) and management else failed)(arn, TRAIL, home, evidence))
    return findings


def _management_events(answer: dict[str, Any]) -> tuple[bool, str]:
    """Whether the selectors record every management event (reads and writes, no source excluded), and why."""
    basic, advanced = answer.get("EventSelectors") or [], answer.get("AdvancedEventSelectors") or []
    for index, selector in enumerate(basic):
        excluded = selector.get("ExcludeManagementEventSources") or []
        if selector.get("IncludeManagementEvents") and selector.get("ReadWriteType") == "All" and not excluded:
            return True, (f"GetEventSelectors.EventSelectors[{index}]: IncludeManagementEvents = True, "
                          "ReadWriteType = All, ExcludeManagementEventSources = []")
    for selector in advanced:
        fields = {f.get("Field"): f for f in selector.get("FieldSelectors", [])}
        if fields.get("eventCategory", {}).get("Equals") == ["Management"] and set(fields) == {"eventCategory"}:
            return True, (f"GetEventSelectors.AdvancedEventSelectors[{selector.get('Name')}]: eventCategory = "
                          "Management with no readOnly or eventSource filter")
    shown = [{k: s.get(k) for k in ("ReadWriteType", "IncludeManagementEvents", "ExcludeManagementEventSources")}
             for s in basic] + [{"Name": s.get("Name"), "FieldSelectors": s.get("FieldSelectors")} for s in advanced]
    return False, (f"GetEventSelectors: no selector records every management event (reads and writes, no source "
                   f"excluded): {shown or '[]'}")


CHECK = AuditCheck(
    id="CloudTrailLogging",
    clauses=("12.4.1", "18.1.3", "16.1.7"),
    title="CloudTrail has a logging multi-region trail, and every trail is multi-region, validates its log files, "
          "is KMS-encrypted, logging and records every management event (reads and writes).",
    run=cloud_trail_logging,
)
