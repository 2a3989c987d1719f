import copy

import pytest
from botocore.stub import Stubber

from compliance.audit.checks.s3_default_encryption_kms import CHECK as KMS_ENCRYPTION
from compliance.audit.inherited import carried_over, template_acknowledgements
from compliance.audit.report import build_audit_report
from compliance.audit.runner import run_checks
from compliance.results import build_report

LOGS = "tomolinks-example-foundation-accesslogs8b620eca-abc123"


@pytest.fixture(scope="module")
def clause_report(default_assembly):
    return build_report(default_assembly)


def _plain_bucket(aws):
    aws.client("s3").create_bucket(Bucket=LOGS, CreateBucketConfiguration={"LocationConstraint": aws.region})
    return f"arn:aws:s3:::{LOGS}"


def _tags(aws, arn, logical_id):
    stub = Stubber(aws.client("resourcegroupstaggingapi"))
    stub.add_response("get_resources", {"ResourceTagMappingList": [{"ResourceARN": arn, "Tags": [
        {"Key": "aws:cloudformation:stack-name", "Value": "tomolinks-example-foundation"},
        {"Key": "aws:cloudformation:logical-id", "Value": logical_id}]}]}, {"ResourceARNList": [arn]})
    return stub


def test_the_clause_reports_acknowledgements_are_keyed_by_cloudformation_identity(clause_report):
    found = template_acknowledgements(clause_report)
    access_logs = found[("ISO27017-S3BucketKmsCmk", "tomolinks-example-foundation", "AccessLogs8B620ECA")]
    assert access_logs["path"] == "Foundation/AccessLogs/Resource" and "SSE-S3" in access_logs["reason"]


def test_a_failure_the_templates_acknowledged_is_accepted_with_their_reason(aws, clause_report):
    arn = _plain_bucket(aws)
    runs = run_checks(aws, (KMS_ENCRYPTION,))
    with _tags(aws, arn, "AccessLogs8B620ECA"):
        inherited, note = carried_over(aws, runs, clause_report)
    assert note == "1 carried over from the clause report"
    document = build_audit_report(runs, account_id="123456789012", region=aws.region, environment="default",
                                  inherited=inherited, inherited_note=note)
    assert document["gate"]["passed"]
    (evaluation,) = [e for c in document["clauses"] if c["id"] == "10.1.1" for r in c["rules"]
                     for e in r["evaluations"]]
    assert evaluation["status"] == "acknowledged" and evaluation["result"] == "fail"
    assert evaluation["acknowledgement"]["from"] == \
        "ISO27017-S3BucketKmsCmk at Foundation/AccessLogs/Resource (clause report)"


def test_a_failure_on_a_resource_the_templates_did_not_acknowledge_still_fails(aws, clause_report):
    arn = _plain_bucket(aws)
    runs = run_checks(aws, (KMS_ENCRYPTION,))
    with _tags(aws, arn, "LogArchive62E50B8E"):
        inherited, note = carried_over(aws, runs, clause_report)
    assert inherited == {} and note == "0 carried over from the clause report"


def test_unreadable_tags_carry_nothing_over_and_say_why(aws, clause_report):
    _plain_bucket(aws)
    runs = run_checks(aws, (KMS_ENCRYPTION,))
    stub = Stubber(aws.client("resourcegroupstaggingapi"))
    stub.add_client_error("get_resources", "AccessDeniedException")
    with stub:
        inherited, note = carried_over(aws, runs, clause_report)
    assert inherited == {} and note.startswith("none carried over: resourcegroupstaggingapi:GetResources: access denied")


@pytest.mark.parametrize("rejection", [{"expired": True}, {"reason_ok": False}])
def test_an_expired_or_unreasoned_template_acknowledgement_is_not_carried_over(aws, clause_report, rejection):
    report = copy.deepcopy(clause_report)
    (entry,) = [a for a in report["acknowledgements"]
                if (a["rule"], a["path"]) == ("ISO27017-S3BucketKmsCmk", "Foundation/AccessLogs/Resource")]
    entry.update(rejection)
    assert ("ISO27017-S3BucketKmsCmk", "tomolinks-example-foundation", "AccessLogs8B620ECA") \
        not in template_acknowledgements(report)
    arn = _plain_bucket(aws)
    runs = run_checks(aws, (KMS_ENCRYPTION,))
    with _tags(aws, arn, "AccessLogs8B620ECA"):
        inherited, note = carried_over(aws, runs, report)
    assert inherited == {} and note == "0 carried over from the clause report"
