import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3

from config.cdk_json import cdk_json_context
from nag_rules import EVALUATIONS_FILE, Iso27017Checks, Status, all_rules
from nag_rules.rules.log_group_retention import RULE as RETENTION
from nag_rules.rules.s3_bucket_kms_cmk import RULE as BUCKET_KMS
from nag_rules.rules.s3_bucket_tls_only import RULE as TLS_ONLY
from tests.helpers import TOKYO, new_app, retained_logs

REASON = "Planted for the test: this exception is deliberate and documented here."


def _short_retention(scope, construct_id="Logs"):
    return logs.LogGroup(scope, construct_id, retention=logs.RetentionDays.ONE_MONTH)


def _violations(report):
    return {(v.rule_name, r.construct_path) for v in report.violations for r in v.violating_resources}


def test_pack_is_a_cdk_nag_pack_named_iso27017():
    pack = Iso27017Checks()
    assert pack.name == "ISO27017"
    assert pack.read_pack_name == "ISO27017"
    assert {rule.id for rule in pack.rules} == {rule.id for rule in all_rules()}


def test_violation_is_reported_with_rule_name_and_clause_prefixed_description():
    stack = cdk.Stack(new_app(), "S", env=TOKYO)
    _short_retention(stack)
    report = Iso27017Checks().validate_scope(stack)
    assert report.success is False
    (violation,) = [v for v in report.violations if v.rule_name == "ISO27017-LogGroupRetention"]
    assert violation.description.startswith("[12.4.1] The log group keeps events for less than 365 days")
    assert violation.description.endswith("Evidence: RetentionInDays = 30 (< 365)")
    assert violation.rule_metadata == {"clauses": "12.4.1", "outcome": "non_compliant"}
    assert violation.fix.startswith("The whitepaper promises access logs for up to 12 months back")
    assert violation.severity == "error"
    assert [r.construct_path for r in violation.violating_resources] == ["S/Logs/Resource"]


def test_compliant_scope_succeeds_and_records_every_evaluation():
    stack = cdk.Stack(new_app(), "S", env=TOKYO)
    retained_logs(stack)
    pack = Iso27017Checks()
    report = pack.validate_scope(stack)
    assert report.success is True and not report.violations
    assert {e.status for e in pack.evaluations} == {Status.COMPLIANT}
    assert {"LogGroupRetention", "KmsCmkEncryption", "KmsKeyRotation", "DataClassificationTag"} <= {
        e.rule.name for e in pack.evaluations}


def test_unresolved_value_blocks_like_a_violation():
    stack = cdk.Stack(new_app(), "S", env=TOKYO)
    days = cdk.CfnParameter(stack, "Days", type="Number")
    logs.CfnLogGroup(stack, "Logs", retention_in_days=days.value_as_number)
    pack = Iso27017Checks(rules=[RETENTION])
    report = pack.validate_scope(stack)
    (evaluation,) = pack.evaluations
    assert evaluation.status is Status.UNRESOLVED
    (violation,) = report.violations
    assert violation.rule_name == "ISO27017-LogGroupRetention"
    assert violation.description.startswith(
        "[12.4.1] Could not be verified at synth time, so it counts as a violation: RetentionInDays = ")


@pytest.mark.parametrize("where", ["resource", "l2", "stack"])
def test_acknowledgement_on_the_construct_or_an_ancestor_silences_and_is_recorded(where):
    app = new_app()
    stack = cdk.Stack(app, "S", env=TOKYO)
    group = _short_retention(stack)
    target = {"resource": group.node.default_child, "l2": group, "stack": stack}[where]
    cdk.Validations.of(target).acknowledge(cdk.Acknowledgment(id="ISO27017-LogGroupRetention", reason=REASON))
    pack = Iso27017Checks(rules=[RETENTION])
    report = pack.validate_scope(stack)
    assert report.success is True
    (evaluation,) = pack.evaluations
    assert evaluation.status is Status.ACKNOWLEDGED
    assert evaluation.acknowledgement.reason == REASON
    assert evaluation.acknowledgement.path == target.node.path


def test_acknowledging_another_rule_does_not_silence():
    stack = cdk.Stack(new_app(), "S", env=TOKYO)
    group = _short_retention(stack)
    cdk.Validations.of(group).acknowledge(cdk.Acknowledgment(id="ISO27017-S3BucketKmsCmk", reason=REASON))
    pack = Iso27017Checks(rules=[RETENTION])
    assert pack.validate_scope(stack).success is False
    assert pack.evaluations[0].status is Status.VIOLATED


def test_scope_limits_what_is_evaluated():
    app = new_app()
    stack = cdk.Stack(app, "S", env=TOKYO)
    inside = cdk.Stack(app, "Inside", env=TOKYO)
    _short_retention(stack)
    logs.LogGroup(inside, "Logs", retention=logs.RetentionDays.ONE_YEAR)
    pack = Iso27017Checks(rules=[RETENTION])
    assert pack.validate_scope(inside).success is True
    assert [e.resource.path for e in pack.evaluations] == ["Inside/Logs/Resource"]


def test_property_overrides_are_seen():
    stack = cdk.Stack(new_app(), "S", env=TOKYO)
    group = logs.LogGroup(stack, "Logs", retention=logs.RetentionDays.ONE_YEAR)
    group.node.default_child.add_property_override("RetentionInDays", 7)
    pack = Iso27017Checks(rules=[RETENTION])
    assert pack.validate_scope(stack).success is False
    assert pack.evaluations[0].evidence == "RetentionInDays = 7 (< 365)"


def _synth_with_plugin(app):
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    outdir = Path(app.outdir)
    records = json.loads((outdir / EVALUATIONS_FILE).read_text())
    cdk_report = json.loads((outdir / "validation-report.json").read_text())
    reported = {
        (v["ruleName"], c["constructPath"])
        for plugin in cdk_report["pluginReports"] if plugin["pluginName"] == "ISO27017"
        for v in plugin["violations"] for c in v["violatingConstructs"]
    }
    return records, reported


def test_plugin_run_writes_records_that_agree_with_cdks_own_acknowledgement_matching():
    app = new_app()
    stack = cdk.Stack(app, "S", env=TOKYO)
    acknowledged = {
        "OnResource": lambda g: g.node.default_child,
        "OnL2": lambda g: g,
        "WithNamespace": lambda g: g,
    }
    for name, target in acknowledged.items():
        group = _short_retention(stack, name)
        rule_id = "ISO27017::ISO27017-LogGroupRetention" if name == "WithNamespace" else "ISO27017-LogGroupRetention"
        cdk.Validations.of(target(group)).acknowledge(cdk.Acknowledgment(id=rule_id, reason=REASON))
    _short_retention(stack, "Unacknowledged")
    s3.Bucket(stack, "Bucket", encryption=s3.BucketEncryption.S3_MANAGED)
    cdk.Validations.of(app).add_plugins(Iso27017Checks(app, rules=[RETENTION, BUCKET_KMS, TLS_ONLY]))
    records, reported = _synth_with_plugin(app)

    assert records["packs"] == ["ISO27017"]
    statuses = {(e["rule"], e["path"]): e["status"] for e in records["evaluations"]}
    for name in acknowledged:
        assert statuses[("ISO27017-LogGroupRetention", f"S/{name}/Resource")] == "acknowledged"
    blocking = {key for key, status in statuses.items() if status in ("violated", "unresolved")}
    assert blocking == reported == {
        ("ISO27017-LogGroupRetention", "S/Unacknowledged/Resource"),
        ("ISO27017-S3BucketKmsCmk", "S/Bucket/Resource"),
        ("ISO27017-S3BucketTlsOnly", "S/Bucket/Resource"),
    }


def test_acknowledgement_on_the_app_is_honoured_like_cdk_does():
    app = new_app()
    stack = cdk.Stack(app, "S", env=TOKYO)
    s3.Bucket(stack, "Bucket", encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True, minimum_tls_version=1.2)
    cdk.Validations.of(app).acknowledge(cdk.Acknowledgment(id=BUCKET_KMS.id, reason=REASON))
    pack = Iso27017Checks(rules=[BUCKET_KMS])
    assert pack.validate_scope(app).success is True
    assert pack.evaluations[0].status is Status.ACKNOWLEDGED
    assert pack.evaluations[0].acknowledgement.path == ""


def test_direct_validation_reads_this_apps_templates_not_an_earlier_run(tmp_path):
    first = cdk.App(context=cdk_json_context(), outdir=str(tmp_path))
    logs.LogGroup(cdk.Stack(first, "S", env=TOKYO), "Logs", retention=logs.RetentionDays.ONE_YEAR)
    first.synth()
    second = cdk.App(context=cdk_json_context(), outdir=str(tmp_path))
    _short_retention(cdk.Stack(second, "S", env=TOKYO))
    pack = Iso27017Checks(rules=[RETENTION])
    assert pack.validate_scope(second).success is False
    assert pack.evaluations[0].evidence == "RetentionInDays = 30 (< 365)"
