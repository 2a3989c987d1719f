"""Account-wide findings name the account and region, or ``account/<region>`` when the account id is unknown."""

import pytest

from compliance.audit.checks.cloud_trail_logging import CHECK as TRAILS
from compliance.audit.checks.guard_duty_enabled import CHECK as GUARD_DUTY
from compliance.audit.checks.security_hub_standards import CHECK as SECURITY_HUB
from compliance.audit.framework import Result
from compliance.audit.report import build_audit_report
from compliance.audit.runner import run_checks


@pytest.mark.parametrize("check", [TRAILS, GUARD_DUTY, SECURITY_HUB], ids=lambda c: c.id)
def test_fail_1_nothing_enabled_without_an_account_id(aws, check):
    aws.account_id = ""
    (finding,) = check.run(aws)
    assert finding.result is Result.FAIL and finding.resource == "account/ap-northeast-1"


def test_every_audit_rule_has_a_name_for_sarif(aws):
    document = build_audit_report(run_checks(aws, (GUARD_DUTY,)), account_id="123456789012", region=aws.region,
                                  environment="default")
    assert [(r["id"], r["name"]) for r in document["rules"]] == [("Audit-GuardDutyEnabled", "GuardDutyEnabled")]
