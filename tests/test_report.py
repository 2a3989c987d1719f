import csv
import html
import io
import json
import re
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs

from compliance.catalogue import load_catalogue
from compliance.cli import write_outputs
from compliance.render import render_csv, render_html, render_markdown, render_summary
from compliance.results import ReportError, build_report
from nag_rules import register_packs
from tests.conftest import PLANTED_REASON as REASON
from tests.helpers import TOKYO, new_app, retained_logs


@pytest.fixture(scope="module")
def planted_report(planted_assembly):
    return build_report(planted_assembly)


def _clause(report, clause_id):
    return next(c for c in report["clauses"] if c["id"] == clause_id)


def test_every_clause_in_whitepaper_order_with_the_required_fields(default_report):
    assert [c["id"] for c in default_report["clauses"]] == list(load_catalogue().ids)
    for clause in default_report["clauses"]:
        for key in ("id", "category", "status", "rules", "resources", "statement_ja", "summary_en", "title_ja"):
            assert key in clause


def test_default_app_meets_the_slice_and_passes_the_gate(default_report):
    assert default_report["gate"] == {"passed": True, "blocking": []}
    assert _clause(default_report, "6.1.3")["status"] == "met"
    assert _clause(default_report, "10.1.1")["status"] == "met"
    assert _clause(default_report, "12.4.1")["status"] == "met"
    packs = {p["name"]: p for p in default_report["source"]["packs"]}
    assert [name for name, p in packs.items() if p["registered"]] == [
        "ISO27017", "AwsSolutions", "NIST.800.53.R5", "HIPAA.Security"]
    assert all(p["unacknowledged"] == 0 and p["conclusion"] == "success" for p in packs.values())


def test_met_clause_lists_resources_and_evidence(default_report):
    clause = _clause(default_report, "12.4.1")
    assert "Foundation/AuditLogs/Resource" in clause["resources"]
    evaluations = {e["path"]: e for rule in clause["rules"] for e in rule["evaluations"]}
    evaluation = evaluations["Foundation/AuditLogs/Resource"]
    assert evaluation == {
        "path": "Foundation/AuditLogs/Resource", "stack": "Foundation", "logical_id": evaluation["logical_id"],
        "type": "AWS::Logs::LogGroup", "status": "compliant", "outcome": "compliant",
        "evidence": "RetentionInDays = 365", "acknowledgement": None,
    }


def test_acknowledged_exceptions_show_in_their_clause_with_the_reason(default_report):
    clause = _clause(default_report, "10.1.1")
    exceptions = {e["path"]: e for r in clause["rules"] for e in r["evaluations"] if e["status"] == "acknowledged"}
    buckets = {"Foundation/AccessLogs/Resource", "Application/LoadBalancerLogs/Resource"}
    pools = {"Identity/UserPools/Administrators/Resource", "Identity/UserPools/Users/Resource"}
    assert set(exceptions) == buckets | pools
    assert f"{len(exceptions)} acknowledged exception(s)" in clause["status_note"]
    assert all("SSE-S3" in exceptions[path]["acknowledgement"]["reason"] for path in buckets)
    assert all("keys it owns" in exceptions[path]["acknowledgement"]["reason"] for path in pools)


def test_uncovered_infrastructure_clause_is_not_evaluated_and_says_so(default_assembly):
    from dataclasses import replace

    catalogue = load_catalogue()
    planted = replace(catalogue, clauses=tuple(
        replace(c, category="infrastructure") if c.id == "5.1.1" else c for c in catalogue.clauses))
    clause = _clause(build_report(default_assembly, catalogue=planted), "5.1.1")
    assert not clause["rules"]
    assert clause["status"] == "not evaluated"
    assert clause["status_note"].startswith("No rule checks this clause yet")


def test_every_infrastructure_clause_is_met_by_the_default_app(default_report):
    assert {c["id"]: c["status"] for c in default_report["clauses"] if c["category"] == "infrastructure"} == {
        clause_id: "met" for clause_id in ("6.1.3", "8.1.1", "9.4.4", "CLD.9.5.2", "10.1.1", "12.1.3", "12.3.1",
                                           "12.4.1", "12.4.4", "CLD.12.4.5", "13.1.3", "18.1.3")}


def test_other_categories_report_the_category(default_report):
    assert _clause(default_report, "5.1.1")["status"] == "organisational"
    assert _clause(default_report, "11.2.7")["status"] == "aws-inherited"
    assert _clause(default_report, "9.2.1")["status"] == "customer"
    assert _clause(default_report, "CLD.9.5.1")["status"] == "shared"


def test_resource_index_covers_every_resource_and_the_coverage_figure(default_report, default_assembly):
    from nag_rules.resource_types import DATA_STORE_TYPES

    templates = [json.loads(p.read_text()) for p in default_assembly.glob("*.template.json")]
    total = sum(1 for t in templates for r in t["Resources"].values() if r["Type"] != "AWS::CDK::Metadata")
    resources = default_report["resources"]
    coverage = default_report["summary"]["coverage"]
    assert coverage["total"] == len(resources) == total
    assert coverage["evaluated"] == sum(r["evaluated"] for r in resources)
    assert not [r["path"] for r in resources if r["type"] in DATA_STORE_TYPES and not r["evaluated"]]
    key = next(r for r in resources if r["path"] == "Foundation/Keys/Customer/Resource")
    assert key["clauses"] == ["6.1.3", "8.1.1", "8.2.2", "10.1.1", "18.1.5"]


def test_every_acknowledgement_appears_with_its_reason(default_report):
    acknowledgements = default_report["acknowledgements"]
    assert all(a["reason_ok"] for a in acknowledgements)
    assert all(a["pack"] for a in acknowledgements)
    iso = [a for a in acknowledgements if a["pack"] == "ISO27017"]
    assert iso and all(a["matched"] for a in iso)


def test_planted_statuses(planted_report):
    assert _clause(planted_report, "6.1.3")["status"] == "violated"
    assert _clause(planted_report, "10.1.1")["status"] == "unresolved"
    assert _clause(planted_report, "12.4.1")["status"] == "acknowledged"
    assert _clause(planted_report, "13.1.3")["status"] == "not evaluated"
    assert planted_report["gate"]["passed"] is False
    blocking = {(b["rule"], b["path"], b["status"]) for b in planted_report["gate"]["blocking"]}
    assert blocking == {
        ("ISO27017-DataLocationJapan", "Anywhere/Queue/Resource", "violated"),
        ("ISO27017-KmsKeyRotation", "Tokyo/Key", "unresolved"),
    }
    assert _clause(planted_report, "6.1.3")["status_note"] == "1 unacknowledged violation(s)."


def test_stale_acknowledgement_is_flagged():
    app = new_app()
    stack = cdk.Stack(app, "S", env=TOKYO)
    group = retained_logs(stack)
    cdk.Validations.of(group).acknowledge(cdk.Acknowledgment(id="ISO27017-LogGroupRetention", reason=REASON))
    register_packs(app)
    app.synth()
    report = build_report(Path(app.outdir))
    assert [(a["rule"], a["matched"]) for a in report["acknowledgements"]] == [
        ("ISO27017-LogGroupRetention", False)]


def test_report_needs_the_pack_records(tmp_path):
    app = new_app()
    sqs.Queue(cdk.Stack(app, "S", env=TOKYO), "Queue")
    app.synth()
    with pytest.raises(ReportError, match="did not run on this assembly"):
        build_report(Path(app.outdir))


def test_renderers_read_only_the_json(default_report, tmp_path):
    written = write_outputs(default_report, tmp_path)
    assert [p.name for p in written] == [
        "clause-report.json", "clause-report.md", "clause-report.html", "clause-report.csv", "iso27017.sarif",
        "iso27017-junit.xml", "asset-register.csv", "conformance-pack.json"]
    document = json.loads((tmp_path / "clause-report.json").read_text(encoding="utf-8"))
    assert (tmp_path / "clause-report.md").read_text(encoding="utf-8") == render_markdown(document)
    assert (tmp_path / "clause-report.html").read_text(encoding="utf-8") == render_html(document)
    assert json.loads((tmp_path / "conformance-pack.json").read_text(encoding="utf-8")) == document["conformance_pack"]


def test_markdown_has_every_clause_in_both_languages(default_report):
    text = render_markdown(default_report)
    for clause in default_report["clauses"]:
        assert f"#### {clause['id']} {clause['title_ja']} — {clause['title_en']}" in text
        assert clause["statement_ja"].splitlines()[0] in text


def test_html_is_self_contained(default_report):
    page = render_html(default_report)
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page
    for clause in default_report["clauses"]:
        assert f"id='clause-{clause['id']}'" in page


def test_csv_has_a_row_per_evaluation_and_per_unevaluated_clause(default_report):
    rows = list(csv.DictReader(io.StringIO(render_csv(default_report))))
    evaluations = sum(len(r["evaluations"]) for c in default_report["clauses"] for r in c["rules"])
    unevaluated = sum(1 for c in default_report["clauses"] if not any(r["evaluations"] for r in c["rules"]))
    assert len(rows) == evaluations + unevaluated
    assert {row["clause_id"] for row in rows} == set(load_catalogue().ids)


def test_terminal_summary_counts_and_gate(default_report, planted_report):
    text = render_summary(default_report)
    assert "gate: PASSED" in text
    met = default_report["summary"]["clauses"]["met"]
    assert re.search(rf"met\s+{met}\s+compliant", text)
    assert re.search(r"total\s+39", text)
    failed = render_summary(planted_report)
    assert "gate: FAILED (2 unacknowledged finding(s))" in failed
    assert "VIOLATED [6.1.3] ISO27017-DataLocationJapan at Anywhere/Queue/Resource" in failed


@pytest.fixture
def clean_assembly():
    """A small app that passes every pack, synthesized with the packs registered."""
    app = new_app(env="staging")
    stack = cdk.Stack(app, "S", env=TOKYO)
    retained_logs(stack)
    register_packs(app)
    app.synth()
    return Path(app.outdir)


def _add_plugin_report(directory, plugin):
    path = directory / "validation-report.json"
    report = json.loads(path.read_text())
    report["pluginReports"].append(plugin)
    path.write_text(json.dumps(report))


def test_clean_assembly_passes_and_names_its_environment(clean_assembly):
    report = build_report(clean_assembly)
    assert report["gate"]["passed"] is True
    assert report["source"]["environment"] == "staging"


def test_a_plugin_that_failed_without_findings_blocks_the_gate(clean_assembly):
    _add_plugin_report(clean_assembly, {"pluginName": "AwsSolutions", "conclusion": "failure", "violations": []})
    report = build_report(clean_assembly)
    assert report["gate"]["passed"] is False
    assert report["gate"]["blocking"][0]["rule"] == "plugin-run"


def test_an_unacknowledged_warning_of_another_pack_blocks_the_gate(clean_assembly):
    _add_plugin_report(clean_assembly, {"pluginName": "CloudFormation Validate", "conclusion": "success", "violations": [
        {"ruleName": "W1234", "description": "A warning.", "severity": "warning",
         "violatingConstructs": [{"constructPath": "S/Logs/Resource"}]}]})
    report = build_report(clean_assembly)
    assert report["gate"]["passed"] is False
    assert [(b["pack"], b["rule"], b["path"]) for b in report["gate"]["blocking"]] == [
        ("CloudFormation Validate", "W1234", "S/Logs/Resource")]


def test_records_made_from_other_templates_are_refused(clean_assembly):
    template = clean_assembly / "S.template.json"
    template.write_text(template.read_text().replace("365", "30"))
    with pytest.raises(ReportError, match="stale records"):
        build_report(clean_assembly)


def test_an_acknowledgement_without_a_real_reason_blocks_the_gate():
    app = new_app()
    stack = cdk.Stack(app, "S", env=TOKYO)
    group = retained_logs(stack)
    group.node.default_child.add_property_override("RetentionInDays", 30)
    cdk.Validations.of(group).acknowledge(cdk.Acknowledgment(id="ISO27017-LogGroupRetention", reason="ok"))
    register_packs(app)
    app.synth()
    report = build_report(Path(app.outdir))
    assert _clause(report, "12.4.1")["status"] == "acknowledged"
    assert report["gate"]["passed"] is False
    (blocking,) = report["gate"]["blocking"]
    assert blocking["rule"] == "acknowledgement-reason" and "'ok'" in blocking["message"]


def test_nested_stack_resources_are_in_the_index_and_evaluated():
    app = new_app()
    stack = cdk.Stack(app, "S", env=TOKYO)
    nested = cdk.NestedStack(stack, "Nested")
    logs.LogGroup(nested, "Logs", retention=logs.RetentionDays.ONE_DAY, removal_policy=cdk.RemovalPolicy.RETAIN)
    register_packs(app)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = build_report(Path(app.outdir))
    assert _clause(report, "12.4.1")["status"] == "violated"
    paths = {r["path"]: r for r in report["resources"]}
    assert paths["S/Nested/Logs/Resource"]["evaluated"] is True
    assert paths["S/Nested/Logs/Resource"]["stack"] == "S/Nested"


def test_renderers_depend_on_nothing_but_the_standard_library():
    import ast

    render_dir = Path(__file__).resolve().parent.parent / "compliance" / "render"
    for module in render_dir.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.startswith(("compliance.render", "__future__", "html", "typing", "csv", "io")), (
                    f"{module.name} imports {node.module}: renderers read only the JSON")


def _evaluations_by_path(clause):
    found = {}
    for rule in clause["rules"]:
        for evaluation in rule["evaluations"]:
            found.setdefault(evaluation["path"], []).append(evaluation)
    return found


def test_every_data_store_and_endpoint_shows_its_key_or_tls_policy_under_10_1_1(default_report):
    from nag_rules.resource_types import DATA_STORE_TYPES

    clause = _clause(default_report, "10.1.1")
    assert clause["status"] == "met"
    by_path = _evaluations_by_path(clause)
    clusters = [r["path"].rsplit("/", 1)[0] + "/" for r in default_report["resources"] if r["type"] == "AWS::RDS::DBCluster"]
    stores = [r for r in default_report["resources"] if r["type"] in DATA_STORE_TYPES
              and not (r["type"] == "AWS::RDS::DBInstance" and r["path"].startswith(tuple(clusters)))]
    endpoints = [r for r in default_report["resources"] if r["type"] in (
        "AWS::ElasticLoadBalancingV2::Listener", "AWS::CloudFront::Distribution")]
    assert len(stores) >= 15 and len(endpoints) == 3
    for resource in stores + endpoints:
        evaluations = by_path.get(resource["path"])
        assert evaluations, f"{resource['path']} is not evaluated under 10.1.1"
        assert all(e["status"] in ("compliant", "acknowledged") for e in evaluations)
        evidence = " ".join(e["evidence"] for e in evaluations)
        if resource["type"] == "AWS::KMS::Key":
            assert "RotationPeriodInDays = 365" in evidence
        elif resource["type"] in ("AWS::ElasticLoadBalancingV2::Listener", "AWS::CloudFront::Distribution"):
            assert re.search(r"SslPolicy = ELBSecurityPolicy-TLS13|redirects to HTTPS|TLSv1\.2_2021", evidence)
        elif resource["type"] == "AWS::Cognito::UserPool":
            assert [e["status"] for e in evaluations] == ["acknowledged"] and "keys Amazon Cognito owns" in evidence
        elif any(e["status"] == "acknowledged" for e in evaluations):
            assert "SSEAlgorithm = AES256" in evidence
        else:
            assert re.search(r"(Foundation/Keys|Edge/Alerts/Key)/", evidence), (resource["path"], evidence)


def test_customer_data_is_identified_and_under_its_own_key_under_8_1_1(default_report):
    clause = _clause(default_report, "8.1.1")
    assert clause["status"] == "met"
    by_path = _evaluations_by_path(clause)
    for path in ("Data/Records/Cluster/Resource", "Data/DailyRecords/Resource", "Data/TeachingMaterials/Resource",
                 "Data/LearningRecords/Resource", "Data/Backup/Vault/Resource",
                 "Application/Servers/LaunchTemplate/Resource"):
        evidence = " ".join(e["evidence"] for e in by_path[path])
        assert "DataClassification = customer" in evidence and "under the customer key" in evidence, path


def test_18_1_5_names_the_algorithms_in_use(default_report):
    clause = _clause(default_report, "18.1.5")
    evidence = " ".join(e["evidence"] for rule in clause["rules"] for e in rule["evaluations"])
    for algorithm in ("AES-256", "TLS 1.2"):
        assert algorithm in evidence
    assert {e["path"] for rule in clause["rules"] for e in rule["evaluations"]} >= {
        "Foundation/Keys/Customer/Resource", "Application/Entry/LoadBalancer/Https/Resource",
        "Edge/Entry/Distribution/Resource"}


def _acknowledged_app(**governance):
    app = new_app()
    stack = cdk.Stack(app, "S", env=TOKYO)
    group = retained_logs(stack)
    group.node.default_child.add_property_override("RetentionInDays", 30)
    from constructs_lib import acknowledge

    acknowledge(group, REASON, "ISO27017-LogGroupRetention", **governance)
    register_packs(app)
    app.synth()
    return Path(app.outdir)


def test_an_expired_acknowledgement_blocks_the_gate_and_names_its_owner():
    from datetime import datetime, timezone

    assembly = _acknowledged_app(owner="platform team", expires="2026-06-30")
    before = build_report(assembly, generated_at=datetime(2026, 6, 30, tzinfo=timezone.utc))
    assert before["gate"]["passed"] is True
    (ack,) = [a for a in before["acknowledgements"] if a["pack"] == "ISO27017"]
    assert (ack["owner"], ack["expires"], ack["expired"], ack["reason"]) == ("platform team", "2026-06-30", False, REASON)
    after = build_report(assembly, generated_at=datetime(2026, 7, 1, tzinfo=timezone.utc))
    (blocking,) = after["gate"]["blocking"]
    assert blocking["rule"] == "acknowledgement-expired"
    assert "expired on 2026-06-30 (owner: platform team)" in blocking["message"]
    assert "| platform team | **expired** 2026-06-30 |" in render_markdown(after)


@pytest.mark.parametrize(("rule_id", "pack"), [
    ("AwsSolutions-IAM5[Resource::*]", "AwsSolutions"),
    ("ISO27017::ISO27017-LogGroupRetention", "ISO27017"),
    ("CloudFormation-Validate::W3010", "CloudFormation Validate"),
    ("NIST.800.53.R5-IAMNoInlinePolicy", "NIST.800.53.R5"),
])
def test_each_acknowledgement_names_its_pack(rule_id, pack):
    from nag_rules.assembly import Acknowledgement

    assert Acknowledgement(rule_id, "S/X", REASON, "S").pack == pack


@pytest.mark.parametrize(("clause_id", "rules"), [
    ("12.6.1", {"SecurityHubStandards", "InspectorEnabled", "ServersPatched", "ConfigRecorderEnabled"}),
    ("16.1.1", {"GuardDutyFindingsRouted", "IncidentsRouted", "NotificationsDelivered"}),
    ("16.1.2", {"GuardDutyFindingsRouted", "IncidentsRouted", "AlarmHasAction"}),
    ("16.1.7", {"CloudTrailProtected", "LogArchiveLocked"}),
    ("9.2.3", {"CognitoAdminMfa", "CognitoAdminPoolStronger", "HumanRoleTrust", "MfaForHumanRoles",
               "NoWildcardAdminPolicy", "RolePermissionsBoundary"}),
    ("9.2.4", {"CognitoAdminPoolStronger", "RdsManagedCredentials"}),
    ("9.4.1", {"CognitoAdminMfa", "RdsIamAuthentication", "RolePermissionsBoundary", "S3BucketPublicAccessBlock"}),
    ("CLD.9.5.1", {"DatabaseIsolated", "RdsTlsEnforced", "RdsIamAuthentication", "KeyMatchesDataClass"}),
    ("CLD.8.1.5", {"OffboardedTenantDataExpires"}),
    ("8.2.2", {"DataClassificationTag"}),
])
def test_shared_clauses_show_what_the_infrastructure_provides(default_report, clause_id, rules):
    clause = _clause(default_report, clause_id)
    assert clause["status"] == "shared"
    evaluated = {r["id"].split("-", 1)[1]: r["evaluations"] for r in clause["rules"]}
    for rule in rules:
        assert evaluated.get(rule), f"{clause_id}: {rule} evaluates nothing"
        assert {e["status"] for e in evaluated[rule]} <= {"compliant", "acknowledged"}, (clause_id, rule)
    assert "Supporting evidence:" in clause["status_note"]


def test_shared_clauses_say_what_is_left_to_the_application(default_report):
    clause = _clause(default_report, "CLD.9.5.1")
    assert any("row-level security" in duty for duty in clause["remaining_en"])
    assert any("tenant key" in duty for duty in clause["remaining_en"])
    markdown, page = render_markdown(default_report), render_html(default_report)
    for duty in clause["remaining_en"]:
        assert f"- {duty}" in markdown
        assert html.escape(duty) in page
    assert all(c["remaining_en"] for c in default_report["clauses"] if c["category"] == "shared")
    assert not any(c["remaining_en"] for c in default_report["clauses"] if c["category"] != "shared")


def test_administrators_are_apart_and_stronger_under_9_2_3(default_report):
    by_path = _evaluations_by_path(_clause(default_report, "9.2.3"))
    admins = " ".join(e["evidence"] for e in by_path["Identity/UserPools/Administrators/Resource"])
    assert "MinimumLength = 16" in admins and "MfaConfiguration = ON" in admins
    assert "compared with users pool Identity/UserPools/Users/Resource: MinimumLength = 10" in admins
    break_glass = by_path["Identity/BreakGlass/Resource"]
    acknowledged = [e for e in break_glass if e["status"] == "acknowledged"]
    assert any("AdministratorAccess" in e["evidence"] for e in acknowledged)
    assert all("break-glass" in e["acknowledgement"]["reason"] for e in acknowledged if "Administrator" in e["evidence"])
    bounded = [e for e in _clause(default_report, "9.2.3")["rules"] if e["id"] == "ISO27017-RolePermissionsBoundary"]
    assert all("PermissionsBoundary = " in e["evidence"] for e in bounded[0]["evaluations"])


def test_every_destination_of_data_is_shown_in_japan_under_6_1_3(default_report):
    clause = _clause(default_report, "6.1.3")
    assert clause["status"] == "met"
    destinations = [e["evidence"] for r in clause["rules"] if r["id"] == "ISO27017-LogDestinationsInJapan"
                    for e in r["evaluations"]]
    assert destinations and all("→" in evidence for evidence in destinations)
    assert all("(ap-northeast-1)" in evidence or "(ap-northeast-3)" in evidence for evidence in destinations)
    assert any("trail log files → Foundation/LogArchive/Resource" in evidence for evidence in destinations)
