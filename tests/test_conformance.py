"""The AWS Config conformance pack generated from compliance/iso27017-config-rules.toml, and its place in the
clause report."""

import json
import re
import subprocess
from pathlib import Path

import pytest

from compliance.catalogue import load_catalogue
from compliance.cli import write_outputs
from compliance.conformance import (
    MAPPING_FILE,
    ConformanceError,
    config_rules_by_clause,
    conformance_pack_template,
    load_mapping,
    unmapped_reasons,
)
from compliance.render import render_html, render_markdown
from compliance.results import build_report
from config import load_environment

ROOT = Path(__file__).resolve().parent.parent
CFN_LINT = ROOT / ".venv-scan" / "bin" / "cfn-lint"
needs_cfn_lint = pytest.mark.skipif(
    not CFN_LINT.is_file(),
    reason=".venv-scan is absent: `make test` (or `make setup-scan`) installs cfn-lint there first",
)
INFRASTRUCTURE = [c.id for c in load_catalogue().clauses if c.category == "infrastructure"]


@pytest.fixture(scope="module")
def template():
    return conformance_pack_template(load_environment())


@pytest.fixture(scope="module")
def report(default_assembly):
    return json.loads(json.dumps(build_report(default_assembly)))


def _rules(template):
    return [r["Properties"] for r in template["Resources"].values()]


def _mapping_copy(tmp_path, edit):
    path = tmp_path / MAPPING_FILE.name
    path.write_text(edit(MAPPING_FILE.read_text(encoding="utf-8")), encoding="utf-8")
    load_mapping.cache_clear()
    return path


@pytest.fixture(autouse=True)
def _fresh_mapping_cache():
    yield
    load_mapping.cache_clear()


def test_every_infrastructure_clause_is_watched_or_explained():
    watched, reasons = config_rules_by_clause(load_environment()), unmapped_reasons()
    for clause in INFRASTRUCTURE:
        assert watched.get(clause) or len(reasons.get(clause, "")) > 80, clause
    assert set(reasons) == {"6.1.3", "12.4.4"}
    assert "ResourcesInJapan" in reasons["6.1.3"] and "VpcTimeSync" in reasons["12.4.4"]


def test_rule_names_are_unique_valid_and_carry_their_clause(template):
    names = [p["ConfigRuleName"] for p in _rules(template)]
    assert len(names) == len(set(names)) >= len(INFRASTRUCTURE)
    for properties in _rules(template):
        name, identifier = properties["ConfigRuleName"], properties["Source"]["SourceIdentifier"]
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,128}", name)
        clause = properties["Description"].split(" ", 1)[0]
        assert name == f"iso27017-{clause.replace('.', '-').lower()}-{identifier.lower().replace('_', '-')}"
        assert properties["Description"].startswith(f"{clause} {load_catalogue().clause(clause).title_en}: ")
        assert len(properties["Description"]) <= 256
        assert properties["Source"]["Owner"] == "AWS"


def test_parameters_are_strings_filled_from_the_settings(template):
    for properties in _rules(template):
        parameters = properties.get("InputParameters", {})
        assert all(isinstance(v, str) and "{" not in v for v in parameters.values()), properties["ConfigRuleName"]
        assert len(json.dumps(parameters)) <= 1024
    settings = load_environment().model_copy(update={"log_retention_days": 400, "database_port": 6543})
    rules = {p["Source"]["SourceIdentifier"]: p for p in _rules(conformance_pack_template(settings))}
    retention = rules["CW_LOGGROUP_RETENTION_PERIOD_CHECK"]
    assert retention["InputParameters"] == {"MinRetentionTime": "400"}
    assert "at least 400 days" in retention["Description"]
    assert retention["MaximumExecutionFrequency"] == "TwentyFour_Hours"
    assert "6543" in rules["RESTRICTED_INCOMING_TRAFFIC"]["InputParameters"]["blockedPorts"]
    assert rules["BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK"]["InputParameters"] == {
        "requiredFrequencyValue": "1", "requiredFrequencyUnit": "days", "requiredRetentionDays": "7"}
    assert rules["REQUIRED_TAGS"]["InputParameters"]["tag1Key"] == "DataClassification"
    assert rules["S3_DEFAULT_ENCRYPTION_KMS"]["Scope"]["TagValue"] == "customer"
    frequency = [p["ConfigRuleName"] for p in _rules(template) if "MaximumExecutionFrequency" in p]
    assert frequency == ["iso27017-12-4-1-cw-loggroup-retention-period-check"]


def test_config_rules_by_clause_lists_name_identifier_and_parameters():
    watched = config_rules_by_clause(load_environment().model_copy(update={"log_retention_days": 731}))
    assert {"name": "iso27017-12-4-1-cw-loggroup-retention-period-check",
            "identifier": "CW_LOGGROUP_RETENTION_PERIOD_CHECK",
            "parameters": {"MinRetentionTime": "731"}} in watched["12.4.1"]
    assert set(watched) <= set(load_catalogue().ids)


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace('clause = "9.4.4"\nidentifier = "INCOMING_SSH_DISABLED"',
                         'clause = "9.9.9"\nidentifier = "INCOMING_SSH_DISABLED"'),
     "clause 9.9.9: not in the clause catalogue"),
    (lambda t: t.split('[[unmapped]]\nclause = "12.4.4"')[0],
     "clause 12.4.4: an infrastructure clause needs a [[rules]] entry or an [[unmapped]] reason"),
    (lambda t: t.replace("{log_retention_days}", "{log_days}"),
     "clause 12.4.1: CW_LOGGROUP_RETENTION_PERIOD_CHECK uses unknown placeholders ['log_days']"),
    (lambda t: t.replace('identifier = "NACL_NO_UNRESTRICTED_SSH_RDP"', 'identifier = "INCOMING_SSH_DISABLED"'),
     "clause 9.4.4: INCOMING_SSH_DISABLED is mapped twice"),
    (lambda t: t.replace('scope_tag = { key = "{data_classification_tag}"',
                         'scope = ["AWS::S3::Bucket"]\nscope_tag = { key = "{data_classification_tag}"'),
     "clause 10.1.1: S3_DEFAULT_ENCRYPTION_KMS has both scope and scope_tag"),
    (lambda t: t.replace('frequency = "TwentyFour_Hours"', 'frequency = "Daily"'),
     "clause 12.4.1: CW_LOGGROUP_RETENTION_PERIOD_CHECK frequency 'Daily'"),
    (lambda t: t.replace("reason = \"No AWS managed Config rule reads", "reason = \"None.\"\nnote = \""),
     "clause 12.4.4: [[unmapped]] needs a reason"),
])
def test_a_wrong_mapping_is_one_line_naming_the_file_and_the_clause(tmp_path, edit, message):
    path = _mapping_copy(tmp_path, edit)
    with pytest.raises(ConformanceError) as error:
        load_mapping(path)
    text = str(error.value)
    assert "\n" not in text and text.startswith(f"{MAPPING_FILE.name}: ") and message in text


@needs_cfn_lint
def test_the_conformance_pack_passes_cfn_lint(template, tmp_path):
    file = tmp_path / "conformance-pack.json"
    file.write_text(json.dumps(template, indent=1), encoding="utf-8")
    result = subprocess.run([str(CFN_LINT), "--format", "json", "--include-checks", "I", "--regions",
                             load_environment().region, "--", str(file)], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and json.loads(result.stdout or "[]") == [], result.stdout + result.stderr
    assert len(json.dumps(template)) < 51_200, "conformance pack TemplateBody limit"


def test_the_report_names_the_config_rules_of_each_clause(report):
    clauses = {c["id"]: c for c in report["clauses"]}
    assert [r["identifier"] for r in clauses["12.3.1"]["config_rules"]][0] == (
        "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK")
    assert clauses["12.4.4"]["config_rules"] == [] and "VpcTimeSync" in clauses["12.4.4"]["config_rules_note"]
    assert clauses["5.1.1"]["config_rules"] == [] and clauses["5.1.1"]["config_rules_note"] == ""
    assert report["conformance_pack"] == conformance_pack_template(load_environment())
    markdown, page = render_markdown(report), render_html(report)
    assert "| Clause | Title | Category | Status | Rules | Resources | Config rules |" in markdown
    assert "Watched at runtime by AWS Config: `iso27017-12-3-1-backup-plan-min-frequency-and-min-retention-check`" \
        in markdown
    assert "No AWS Config managed rule watches this clause: No AWS managed Config rule reads" in markdown
    assert "<code>iso27017-12-4-1-cw-loggroup-retention-period-check</code>" in page
    assert "No managed rule: No AWS managed Config rule checks where data is stored" in page


def test_write_outputs_writes_the_conformance_pack_from_the_document(report, tmp_path):
    written = write_outputs(report, tmp_path, sources={})
    assert tmp_path / "conformance-pack.json" in written
    pack = json.loads((tmp_path / "conformance-pack.json").read_text(encoding="utf-8"))
    assert pack == report["conformance_pack"]
    assert {r["Type"] for r in pack["Resources"].values()} == {"AWS::Config::ConfigRule"}


def test_the_deployed_template_body_fits_aws_configs_limit(template):
    assert len(json.dumps(template, separators=(",", ":")).encode("utf-8")) < 51_200


def test_the_report_says_whose_values_fill_the_parameters(default_assembly):
    from compliance.results import build_report

    assert build_report(default_assembly)["conformance_pack_parameters"] == "environment default"
