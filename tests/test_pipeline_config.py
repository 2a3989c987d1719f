"""Each field of config/pipeline.toml: a bad value is one line naming the file, the field, the value, what is
allowed and the clause it protects."""

from __future__ import annotations

import re

import pytest

from config import ConfigurationError
from config.pipeline import DEFAULT_PIPELINE_FILE, PipelineSettings, load_pipeline

CONNECTION = "arn:aws:codeconnections:ap-northeast-1:123456789012:connection/22222222-2222-2222-2222-222222222222"


def _write(tmp_path, **fields):
    lines = ["[pipeline]"]
    values = {"account": "123456789012", "region": "ap-northeast-1", "connection_arn": CONNECTION,
              "repository": "example-org/repo", "environments": ["staging", "default"],
              "notification_emails": ["a@example.com"], **fields}
    for key, value in values.items():
        if value is not None:
            lines.append(f"{key} = {_toml(value)}")
    path = tmp_path / "pipeline.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _toml(value):
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, str):
        return '"' + value + '"'
    return str(value)


def _error(tmp_path, **fields) -> str:
    with pytest.raises(ConfigurationError) as raised:
        load_pipeline(_write(tmp_path, **fields))
    text = str(raised.value)
    assert len(text.splitlines()) == 1, text
    return text


def test_embedded_default_is_valid():
    settings = load_pipeline()
    assert settings.environments == ["staging", "default"]
    assert settings.production_environment == "default"
    assert DEFAULT_PIPELINE_FILE.name == "pipeline.toml"


def test_production_defaults_to_the_last_environment(tmp_path):
    assert load_pipeline(_write(tmp_path)).production_environment == "default"


def test_every_field_has_allowed():
    for name, field in PipelineSettings.model_fields.items():
        assert (field.json_schema_extra or {}).get("allowed"), name


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("account", "12345", r"pipeline\.account = '12345': not a 12-digit account ID; allowed: a 12-digit"),
    ("account", 123456789012, r"pipeline\.account = 123456789012: input should be a valid string"),
    ("region", "us-east-1", r"pipeline\.region = 'us-east-1': region outside Japan; .*\(protects clause 6\.1\.3\)"),
    ("name_prefix", "X", r"pipeline\.name_prefix = 'X': invalid prefix"),
    ("connection_arn", "arn:aws:s3:::bucket", r"pipeline\.connection_arn = .*not a connection ARN.*12\.1\.2"),
    ("connection_arn", CONNECTION.replace("ap-northeast-1", "ap-northeast-3"),
     r"pipeline\.connection_arn = .*must be in ap-northeast-1 of account 123456789012"),
    ("connection_arn", CONNECTION.replace("123456789012", "210987654321"),
     r"pipeline\.connection_arn = .*must be in ap-northeast-1 of account 123456789012"),
    ("repository", "no-slash", r"pipeline\.repository = 'no-slash': not owner/name"),
    ("branch", "bad..branch", r"pipeline\.branch = 'bad\.\.branch': not a git branch name"),
    ("environments", [], r"pipeline\.environments = \[\]: need 1 to 10 environments"),
    ("environments", ["staging", "staging"], r"pipeline\.environments = .*listed twice"),
    ("environments", ["staging", "prod"], r"pipeline\.environments = \['staging', 'prod'\]: prod not in "
                                          r"config/environments\.toml; allowed: names of .*default.*staging"),
    ("production", "prod", r"pipeline\.production = 'prod': not in environments"),
    ("notification_emails", [], r"pipeline\.notification_emails = \[\]: need 1 to 10 addresses"),
    ("notification_emails", ["nobody"], r"'nobody' is not an e-mail address"),
    ("tags", None, None),
    ("unknown_field", "x", r"pipeline\.unknown_field = 'x': unknown field; allowed: one of the fields"),
])
def test_each_field_error_is_one_line(tmp_path, monkeypatch, field, value, expected):
    monkeypatch.chdir(DEFAULT_PIPELINE_FILE.parent.parent)
    if expected is None:
        load_pipeline(_write(tmp_path))
        return
    text = _error(tmp_path, **{field: value})
    assert re.search(expected, text), text
    assert text.startswith(str(tmp_path)) or "pipeline.toml" in text


def test_missing_required_field(tmp_path):
    text = _error(tmp_path, account=None)
    assert "pipeline.account = (missing): required field is missing" in text


def test_file_without_a_pipeline_table(tmp_path):
    path = tmp_path / "pipeline.toml"
    path.write_text('account = "123456789012"\n', encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"the file must hold one \[pipeline\] table"):
        load_pipeline(path)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigurationError, match="file not found"):
        load_pipeline(tmp_path / "absent.toml")


def _environments(tmp_path, **staging):
    from pathlib import Path

    source = (Path(__file__).resolve().parents[1] / "config" / "environments.toml").read_text(encoding="utf-8")
    head, tail = source.split("[staging]", 1)
    tail = tail.replace("210987654321", "123456789012")  # the same account, certificates included
    for key, value in staging.items():
        line = f"{key} = {_toml(value)}"
        tail = re.sub(rf"^{key} = [^\n]+", line, tail, count=1, flags=re.M) if re.search(rf"^{key} = ", tail, re.M) \
            else f"\n{line}{tail}"
    source = f"{head}[staging]{tail}"
    path = tmp_path / "environments.toml"
    path.write_text(source, encoding="utf-8")
    return path


def test_two_environments_owning_one_accounts_security_services_are_refused(tmp_path):
    environments = _environments(tmp_path)
    with pytest.raises(ConfigurationError) as raised:
        load_pipeline(_write(tmp_path), environments)
    text = str(raised.value)
    assert len(text.splitlines()) == 1
    assert "staging and default both own the security services of account 123456789012 in ap-northeast-1" in text
    assert "clause CLD.12.4.5" in text


def test_two_environments_with_one_prefix_in_one_account_are_refused(tmp_path):
    environments = _environments(tmp_path, name_prefix="tomolinks-example", account_security="external")
    with pytest.raises(ConfigurationError) as raised:
        load_pipeline(_write(tmp_path), environments)
    assert "staging and default share name_prefix tomolinks-example in account 123456789012" in str(raised.value)
