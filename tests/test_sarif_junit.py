"""SARIF 2.1.0 and JUnit XML rendered from the result JSON, and the source lines SARIF points at."""

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import aws_cdk as cdk
import jsonschema
import pytest

from compliance import cli
from compliance.render import render_junit, render_sarif
from compliance.results import build_report
from compliance.sources import find_source, source_locations
from nag_rules import register_packs
from tests.conftest import PLANTED_REASON as REASON
from tests.helpers import TOKYO, new_app, retained_logs

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "tests" / "schemas" / "sarif-2.1.0.json"
CDK = ROOT / "node_modules" / ".bin" / "cdk"


@pytest.fixture(scope="module")
def planted_report(planted_assembly):
    return build_report(planted_assembly)


def validate(log):
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)
    validator(schema, format_checker=validator.FORMAT_CHECKER).validate(log)


def results_of(log):
    (run,) = log["runs"]
    return run["results"]


def line_of(file, literal):
    """The first line of ``file`` holding ``literal`` as a string."""
    lines = (ROOT / file).read_text(encoding="utf-8").splitlines()
    return next(number for number, text in enumerate(lines, 1) if f'"{literal}"' in text)


def test_the_shipped_schema_is_the_oasis_sarif_2_1_0_schema():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]
    validator = jsonschema.validators.validator_for(schema)
    assert validator is jsonschema.Draft4Validator
    validator.check_schema(schema)
    with pytest.raises(jsonschema.ValidationError):
        validate({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})


def test_default_app_sarif_validates_and_has_no_error(default_report):
    log = json.loads(render_sarif(default_report))
    validate(log)
    (run,) = log["runs"]
    assert run["tool"]["driver"]["name"] == "ISO27017"
    assert run["invocations"] == [{"executionSuccessful": True}]
    assert run["properties"]["gate"] == {"passed": True, "blocking": 0}
    assert not [r for r in run["results"] if r["level"] == "error"]
    assert all(r.get("suppressions") for r in run["results"])


def test_rules_carry_clauses_security_hub_and_level(default_report):
    (run,) = json.loads(render_sarif(default_report))["runs"]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert list(rules) == [rule["id"] for rule in default_report["rules"]]
    retention = rules["ISO27017-LogGroupRetention"]
    assert retention["name"] == "LogGroupRetention"
    assert retention["properties"]["clauses"] == retention["properties"]["tags"] == ["12.4.1"]
    assert retention["shortDescription"]["text"].startswith("The log group keeps events for less than 365 days")
    assert retention["fullDescription"] == retention["help"]
    assert retention["defaultConfiguration"] == {"level": "error"}
    assert all(isinstance(rule["properties"]["security_hub"], list) for rule in rules.values())


def test_acknowledged_evaluations_are_suppressed_with_their_reason(default_report):
    acknowledged = {
        (rule["id"], e["path"]): e["acknowledgement"]["reason"]
        for clause in default_report["clauses"] for rule in clause["rules"] for e in rule["evaluations"]
        if e["status"] == "acknowledged"
    }
    assert acknowledged
    results = {(r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]): r
               for r in results_of(json.loads(render_sarif(default_report)))
               if r["properties"]["pack"] == "ISO27017"}
    assert set(results) == set(acknowledged)
    for key, reason in acknowledged.items():
        assert results[key]["level"] == "note"
        (suppression,) = results[key]["suppressions"]
        assert suppression["kind"] == "inSource" and suppression["status"] == "accepted"
        assert suppression["justification"] == reason


def test_other_packs_acknowledgements_are_suppressed_results(default_report):
    others = [a for a in default_report["acknowledgements"] if a["pack"] != "ISO27017"]
    results = [r for r in results_of(json.loads(render_sarif(default_report)))
               if r["properties"]["pack"] != "ISO27017"]
    assert len(results) == len(others)
    assert {(r["ruleId"], r["suppressions"][0]["justification"]) for r in results} == {
        (a["rule"], a["reason"]) for a in others}


def test_planted_violation_is_an_error_result_with_its_clause(planted_report):
    log = json.loads(render_sarif(planted_report))
    validate(log)
    (run,) = log["runs"]
    assert run["properties"]["gate"] == {"passed": False, "blocking": 2}
    results = {(r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]): r for r in run["results"]}
    violation = results[("ISO27017-DataLocationJapan", "Anywhere/Queue/Resource")]
    assert violation["level"] == "error"
    assert violation["properties"]["clauses"] == ["6.1.3"] and violation["properties"]["status"] == "violated"
    assert violation["message"]["text"].startswith("[6.1.3] ")
    assert "Evidence: " in violation["message"]["text"]
    assert "suppressions" not in violation
    logical = violation["locations"][0]["logicalLocations"][0]
    assert logical["kind"] == "resource"
    assert logical["properties"] == {"stack": "Anywhere", "type": "AWS::SQS::Queue", "logical_id": logical["name"]}
    assert run["tool"]["driver"]["rules"][violation["ruleIndex"]]["id"] == "ISO27017-DataLocationJapan"
    unresolved = results[("ISO27017-KmsKeyRotation", "Tokyo/Key")]
    assert unresolved["level"] == "error" and unresolved["properties"]["status"] == "unresolved"
    assert "Could not be verified at synth time" in unresolved["message"]["text"]
    acknowledged = results[("ISO27017-LogGroupRetention", "Tokyo/ShortLogs/Resource")]
    assert acknowledged["level"] == "note"
    assert acknowledged["suppressions"][0]["justification"] == REASON
    assert not any(r["properties"].get("status") == "compliant" for r in run["results"])


def test_gate_problems_outside_the_evaluations_are_error_results(clean_assembly_report):
    report = clean_assembly_report
    report["gate"] = {"passed": False, "blocking": [
        {"pack": "AwsSolutions", "rule": "plugin-run", "clauses": [], "path": "", "status": "violated",
         "message": "the AwsSolutions plugin reported 'failure' without findings: it may not have run"}]}
    (result,) = [r for r in results_of(json.loads(render_sarif(report))) if r["level"] == "error"]
    assert result["ruleId"] == "plugin-run" and result["locations"] == []
    suites = {s.get("name"): s for s in ET.fromstring(render_junit(report))}
    (case,) = suites["gate"].findall("testcase")
    assert case.get("classname") == "AwsSolutions.plugin-run"
    assert case.find("failure").get("message").startswith("the AwsSolutions plugin")


def test_an_acknowledgement_the_gate_refuses_is_a_rejected_suppression_and_an_error():
    app = new_app()
    group = retained_logs(cdk.Stack(app, "S", env=TOKYO))
    group.node.default_child.add_property_override("RetentionInDays", 30)
    cdk.Validations.of(group).acknowledge(cdk.Acknowledgment(id="ISO27017-LogGroupRetention", reason="ok"))
    register_packs(app)
    app.synth()
    log = json.loads(render_sarif(build_report(Path(app.outdir))))
    validate(log)
    results = {r["ruleId"]: r for r in results_of(log)}
    assert results["ISO27017-LogGroupRetention"]["suppressions"][0]["status"] == "rejected"
    assert results["acknowledgement-reason"]["level"] == "error"


@pytest.fixture
def clean_assembly_report():
    app = new_app()
    retained_logs(cdk.Stack(app, "S", env=TOKYO))
    register_packs(app)
    app.synth()
    return build_report(Path(app.outdir))


def _suites(report):
    root = ET.fromstring(render_junit(report))
    assert root.tag == "testsuites"
    return root, {suite.get("name"): suite for suite in root.findall("testsuite")}


def _counts(element):
    return {key: int(element.get(key)) for key in ("tests", "failures", "errors", "skipped")}


def test_junit_has_a_suite_per_rule_and_a_case_per_evaluated_resource(default_report):
    root, suites = _suites(default_report)
    evaluations = {}
    for clause in default_report["clauses"]:
        for rule in clause["rules"]:
            for e in rule["evaluations"]:
                evaluations.setdefault(rule["id"], {})[e["path"]] = e["status"]
    for rule in default_report["rules"]:
        suite = suites[rule["id"]]
        own = evaluations.get(rule["id"], {})
        assert {case.get("name") for case in suite} == set(own)
        assert all(case.get("classname") == rule["id"] for case in suite)
        assert _counts(suite) == {"tests": len(own), "failures": 0, "errors": 0,
                                  "skipped": sum(1 for s in own.values() if s == "acknowledged")}
    totals = [_counts(s) for s in suites.values()]
    assert _counts(root) == {key: sum(t[key] for t in totals) for key in ("tests", "failures", "errors", "skipped")}
    assert _counts(root)["failures"] == 0
    assert "AwsSolutions" in suites


def test_junit_fails_the_planted_violation_and_skips_the_exception(planted_report):
    root, suites = _suites(planted_report)
    (case,) = suites["ISO27017-DataLocationJapan"].findall("testcase[@name='Anywhere/Queue/Resource']")
    failure = case.find("failure")
    assert failure.get("type") == "violated" and "[6.1.3]" in failure.get("message")
    assert failure.text.strip()
    (case,) = suites["ISO27017-KmsKeyRotation"].findall("testcase[@name='Tokyo/Key']")
    assert case.find("failure").get("type") == "unresolved"
    (case,) = suites["ISO27017-LogGroupRetention"].findall("testcase[@name='Tokyo/ShortLogs/Resource']")
    assert case.find("skipped").get("message") == f"acknowledged: {REASON}"
    assert _counts(root)["failures"] == 2
    assert _counts(suites["ISO27017-DataLocationJapan"])["failures"] == 1


def test_construct_paths_lead_to_the_line_that_created_them():
    assert find_source(ROOT, "Foundation/AuditLogs/Resource") == (
        "stacks/foundation.py", line_of("stacks/foundation.py", "AuditLogs"))
    assert find_source(ROOT, "Foundation/Keys/Customer/Resource") == (
        "constructs_lib/keys.py", line_of("constructs_lib/keys.py", "Customer"))
    assert find_source(ROOT, "Foundation") == ("stacks/service.py", line_of("stacks/service.py", "Foundation"))
    assert find_source(ROOT, "Tokyo/Key") is None
    assert source_locations(ROOT, ["Tokyo/Key", "Foundation/AuditLogs/Resource"]) == {
        "Foundation/AuditLogs/Resource": {"uri": "stacks/foundation.py",
                                          "line": line_of("stacks/foundation.py", "AuditLogs")}}


def test_the_most_specific_id_is_found_through_the_classes_that_created_it(tmp_path):
    (tmp_path / "stacks").mkdir()
    (tmp_path / "constructs_lib").mkdir()
    (tmp_path / "app.py").write_text('DataStack(app, "Data")\n')
    (tmp_path / "stacks" / "data.py").write_text(
        'class Base:\n    def __init__(self):\n        Topic(self, "Alerts")\n\n\n'
        'class DataStack(Base):\n    def __init__(self):\n        Records(self, "Records")\n')
    (tmp_path / "constructs_lib" / "other.py").write_text(
        'class Unrelated:\n    def __init__(self):\n        Cluster(self, "Cluster")\n')
    (tmp_path / "constructs_lib" / "records.py").write_text(
        'class Records:\n    def __init__(self):\n        self.grant(self, "kms:Decrypt")\n'
        '        Cluster(\n            self,\n            "Cluster",\n        )\n')
    assert find_source(tmp_path, "Data/Records/Cluster/Resource") == ("constructs_lib/records.py", 6)
    assert find_source(tmp_path, "Data/Records/Parameters") == ("stacks/data.py", 8)
    assert find_source(tmp_path, "Data/Alerts/Resource") == ("stacks/data.py", 3)
    assert find_source(tmp_path, "Other/Cluster") is None


def test_cli_writes_sarif_and_junit_beside_the_report(default_assembly, tmp_path, capsys):
    assembly = tmp_path / "assembly"
    shutil.copytree(default_assembly, assembly)
    assert cli.main(["report", "--assembly", str(assembly)]) == 0
    out = capsys.readouterr().out
    assert f"{assembly / 'iso27017.sarif'}, {assembly / 'iso27017-junit.xml'}" in out
    log = json.loads((assembly / "iso27017.sarif").read_text(encoding="utf-8"))
    validate(log)
    document = json.loads((assembly / "clause-report.json").read_text(encoding="utf-8"))
    assert (assembly / "iso27017-junit.xml").read_text(encoding="utf-8") == render_junit(document)
    located = {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]: r["locations"][0]
               for r in results_of(log) if r["locations"]}
    physical = located["Foundation/AccessLogs/Resource"]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "stacks/foundation.py", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": line_of("stacks/foundation.py", "AccessLogs")}
    assert not list(assembly.glob(".*.tmp"))


def test_a_failing_renderer_leaves_every_previous_output_untouched(default_report, monkeypatch, tmp_path):
    written = cli.write_outputs(default_report, tmp_path, sources={})
    assert {p.name for p in written} >= {"iso27017.sarif", "iso27017-junit.xml"}
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def broken(document):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "render_junit", broken)
    with pytest.raises(RuntimeError, match="boom"):
        cli.write_outputs({**default_report, "generated_at": "2000-01-01T00:00:00+00:00"}, tmp_path, sources={})
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


@pytest.mark.skipif(not CDK.exists(), reason="run `make setup`: the pinned CDK CLI is not installed")
def test_report_on_a_planted_violation_writes_an_error_result_at_its_source_line(tmp_path):
    out = tmp_path / "cdk.out"
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    result = subprocess.run(
        [sys.executable, "-m", "compliance", "report", "--app", f"{sys.executable} tests/apps/planted_violation.py",
         "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stdout + result.stderr
    log = json.loads((out / "iso27017.sarif").read_text(encoding="utf-8"))
    validate(log)
    (error,) = [r for r in results_of(log) if r["level"] == "error"]
    assert error["ruleId"] == "ISO27017-LogGroupRetention" and error["properties"]["clauses"] == ["12.4.1"]
    assert error["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "stacks/foundation.py"
    assert error["locations"][0]["physicalLocation"]["region"]["startLine"] == line_of("stacks/foundation.py",
                                                                                       "AuditLogs")
    junit = ET.fromstring((out / "iso27017-junit.xml").read_text(encoding="utf-8"))
    (failure,) = junit.findall("testsuite/testcase/failure")
    assert "[12.4.1]" in failure.get("message")
    assert not list(tmp_path.glob(".cdk.out-*"))
