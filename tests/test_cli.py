"""End to end through the pinned CDK CLI, as `make report` and platform engineers run it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CDK = ROOT / "node_modules" / ".bin" / "cdk"
PLANTED_APP = f"{sys.executable} tests/apps/planted_violation.py"

pytestmark = pytest.mark.skipif(not CDK.exists(), reason="run `make setup`: the pinned CDK CLI is not installed")


def run(*args, cwd=ROOT):
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_pinned_cdk_synth_fails_on_a_planted_violation(tmp_path):
    result = run(str(CDK), "synth", "--quiet", "--no-notices", "--app", PLANTED_APP, "--output", str(tmp_path / "out"))
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "[12.4.1] The log group keeps events for less than 365 days" in output
    assert "ISO27017-LogGroupRetention" in output
    report = json.loads((tmp_path / "out" / "validation-report.json").read_text())
    (plugin,) = [p for p in report["pluginReports"] if p["pluginName"] == "ISO27017"]
    assert plugin["conclusion"] == "failure"


def test_report_on_the_default_configuration_passes(tmp_path):
    out = tmp_path / "cdk.out"
    result = run(sys.executable, "-m", "compliance", "report", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "gate: PASSED" in result.stdout
    for suffix in ("json", "md", "html", "csv"):
        assert (out / f"clause-report.{suffix}").is_file()
    report = json.loads((out / "clause-report.json").read_text(encoding="utf-8"))
    assert len(report["clauses"]) == 39
    assert report["source"]["assembly"] == str(out)
    assert not list(tmp_path.glob(".cdk.out-*")), "staging directory left behind"


def test_report_on_a_planted_violation_exits_1_and_names_the_clause(tmp_path):
    out = tmp_path / "cdk.out"
    result = run(sys.executable, "-m", "compliance", "report", "--app", PLANTED_APP, "--out", str(out))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "gate: FAILED" in result.stdout
    assert "VIOLATED [12.4.1] ISO27017-LogGroupRetention at Foundation/AuditLogs/Resource" in result.stdout
    report = json.loads((out / "clause-report.json").read_text(encoding="utf-8"))
    clause = next(c for c in report["clauses"] if c["id"] == "12.4.1")
    assert clause["status"] == "violated"
    assert (out / "clause-report.html").is_file()


def test_report_with_invalid_configuration_writes_nothing(tmp_path):
    config = tmp_path / "environments.toml"
    config.write_text('[bad]\naccount = "1"\nregion = "us-west-2"\n', encoding="utf-8")
    out = tmp_path / "cdk.out"
    result = run(sys.executable, "-m", "compliance", "report", "--env", "bad", "--config", str(config),
                 "--out", str(out))
    assert result.returncode == 2
    assert "bad.region = 'us-west-2'" in result.stderr and "clause 6.1.3" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert not list(tmp_path.glob(".cdk.out-*"))


def test_report_refuses_to_replace_a_directory_that_is_not_an_assembly(tmp_path):
    out = tmp_path / "docs"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = run(sys.executable, "-m", "compliance", "report", "--out", str(out))
    assert result.returncode == 2
    assert "is not a cloud assembly directory" in result.stderr
    assert (out / "keep.txt").read_text() == "mine"


def test_usage_error_is_one_line_and_exit_2():
    result = run(sys.executable, "-m", "compliance", "report", "--nope")
    assert result.returncode == 2
    assert "unrecognized arguments: --nope" in result.stderr


def test_an_unexpected_error_exits_2_not_1(monkeypatch, tmp_path, capsys):
    from compliance import cli

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "build_report", broken)
    (tmp_path / "manifest.json").write_text("{}")
    assert cli.main(["report", "--assembly", str(tmp_path)]) == 2
    assert "unexpected RuntimeError: boom" in capsys.readouterr().err


def test_a_renderer_failure_leaves_the_previous_report_untouched(monkeypatch, tmp_path):
    from compliance import cli

    (tmp_path / "clause-report.json").write_text("previous")
    monkeypatch.setattr(cli, "RENDERERS", {".md": lambda document: "ok", ".html": lambda document: 1 / 0})
    with pytest.raises(ZeroDivisionError):
        cli.write_outputs({"title": "x"}, tmp_path)
    assert (tmp_path / "clause-report.json").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clause-report.json"]
