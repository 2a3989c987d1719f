import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import (ClientError, CredentialRetrievalError, EndpointConnectionError, NoCredentialsError,
                                 TokenRetrievalError)

from compliance.audit.checks import all_checks
from compliance.audit.checks.kms_key_rotation import CHECK as ROTATION
from compliance.audit.framework import AuditCheck, CredentialsError, Result, Unverifiable, call, pages, passed
from compliance.audit.report import build_audit_report, combined_view
from compliance.audit.runner import run_checks
from compliance.cli import main
from compliance.render import render_csv, render_html, render_markdown, render_summary

PROJECT = Path(__file__).resolve().parents[2]


def _check(name, run):
    return AuditCheck(id=name, clauses=("10.1.1",), title=f"{name} holds.", run=run)


def _raise(error):
    def run(account):
        raise error
    return run


def test_checks_are_named_after_their_modules_and_cite_catalogue_clauses():
    from compliance.catalogue import load_catalogue

    ids = set(load_catalogue().ids)
    for check in all_checks():
        module = sys.modules[check.run.__module__].__name__.rsplit(".", 1)[1]
        assert module == "".join(f"_{c.lower()}" if c.isupper() else c for c in check.id).lstrip("_"), check.id
        assert set(check.clauses) <= ids and check.clauses, check.id


def test_a_check_that_cannot_run_is_unverified_never_passed(aws):
    denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "ListKeys")
    runs = run_checks(aws, (
        _check("Denied", _raise(Unverifiable(f"kms:ListKeys: access denied ({denied})"))),
        _check("Broken", _raise(KeyError("KeyMetadata"))),
        _check("Fine", lambda account: [passed("r", "AWS::KMS::Key", account.region, "ok")]),
    ), workers=2)
    assert [[f.result for f in run.findings] for run in runs] == [
        [Result.UNVERIFIED], [Result.UNVERIFIED], [Result.PASS]]
    assert "access denied" in runs[0].findings[0].evidence
    assert "KeyError" in runs[1].findings[0].evidence


def test_missing_credentials_stop_the_audit(aws):
    with pytest.raises(CredentialsError):
        run_checks(aws, (_check("NoCredentials", _raise(CredentialsError("sts: no credentials"))),))


@pytest.mark.parametrize(("code", "words"), [("AccessDenied", "access denied"),
                                              ("ThrottlingException", "throttled beyond the standard retry mode"),
                                              ("InvalidAccessException", "the service is not enabled or subscribed"),
                                              ("BadRequestException", r"error \(BadRequestException")])
def test_call_names_the_api_and_why(aws, code, words):
    from botocore.stub import Stubber

    kms = aws.client("kms")
    with Stubber(kms) as stub:
        stub.add_client_error("get_key_rotation_status", code)
        with pytest.raises(Unverifiable, match=f"kms:GetKeyRotationStatus: {words}"):
            call(kms, "get_key_rotation_status", KeyId="k")


@pytest.mark.parametrize("code", ["ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId",
                                  "UnrecognizedClientException"])
def test_expired_or_unknown_credentials_stop_the_audit(aws, code):
    from botocore.stub import Stubber

    kms = aws.client("kms")
    with Stubber(kms) as stub:
        stub.add_client_error("get_key_rotation_status", code)
        stub.add_client_error("list_keys", code)
        with pytest.raises(CredentialsError, match=f"kms:GetKeyRotationStatus: .*{code}"):
            call(kms, "get_key_rotation_status", absent=(code,), KeyId="k")
        with pytest.raises(CredentialsError, match=f"kms:ListKeys: .*{code}"):
            list(pages(kms, "list_keys", "Keys"))


@pytest.mark.parametrize(("error", "stops"), [
    (EndpointConnectionError(endpoint_url="https://kms.eu-west-1.amazonaws.com/"), False),
    (NoCredentialsError(), True),
    (TokenRetrievalError(provider="sso", error_msg="expired"), True),
    (CredentialRetrievalError(provider="process", error_msg="failed"), True),
])
def test_an_unreachable_endpoint_is_unverifiable_missing_credentials_stop(aws, error, stops):
    def fail(**_):
        raise error

    kms = aws.client("kms", "eu-west-1")
    kms.meta.events.register("before-call", fail)
    with pytest.raises(CredentialsError if stops else Unverifiable, match="kms:ListKeys"):
        list(pages(kms, "list_keys", "Keys"))
    with pytest.raises(CredentialsError if stops else Unverifiable, match="kms:DescribeKey"):
        call(kms, "describe_key", KeyId="k")


def test_the_audit_report_has_the_clause_report_shape_and_renders(aws):
    kms = aws.client("kms")
    kms.create_key()
    rotated = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=rotated)
    runs = run_checks(aws, (ROTATION,))
    synth = {"kind": "synth", "clauses": [{"id": "10.1.1", "status": "met", "counts": {"compliant": 40},
                                           "rules": [{"id": "ISO27017-KmsKeyRotation"}]}]}
    document = json.loads(json.dumps(build_audit_report(runs, account_id="123456789012", region=aws.region,
                                                        environment="default", clause_report=synth)))
    assert document["kind"] == "audit" and document["summary"]["results"] == {"pass": 1, "fail": 1, "unverified": 0}
    clause = next(c for c in document["clauses"] if c["id"] == "10.1.1")
    assert clause["status"] == "violated" and clause["results"]["fail"] == 1
    assert sorted(e["result"] for r in clause["rules"] for e in r["evaluations"]) == ["fail", "pass"]
    (failure,) = document["gate"]["blocking"]
    assert failure["rule"] == "Audit-KmsKeyRotation" and failure["clauses"] == ["10.1.1"]
    assert "KeyRotationEnabled = False" in failure["message"]
    row = next(r for r in document["combined"] if r["id"] == "10.1.1")
    assert row["templates"]["status"] == "met" and row["account"]["results"] == {"pass": 1, "fail": 1, "unverified": 0}
    page = render_html(document)
    assert "Templates and account, per clause" in page and "Audit-KmsKeyRotation" in page
    assert "pass (shown as compliant)" in render_markdown(document)
    assert "KeyRotationEnabled = False" in render_csv(document)
    assert "1 pass, 1 fail, 0 unverified" in render_summary(document)


def test_without_a_clause_report_the_combined_view_says_what_to_run(aws):
    document = build_audit_report(run_checks(aws, (ROTATION,)), account_id="123456789012", region=aws.region,
                                  environment="default")
    assert document["combined"] == combined_view(document["clauses"], None) == []
    assert "run `make report` first" in render_markdown(document)
    assert "run <code>make report</code> first" in render_html(document)


@pytest.mark.parametrize(("argv", "words"), [
    (["--region", "tokyo"], "--region 'tokyo': not a region name"),
    (["--checks", "KmsKeyRotation,Nope"], "--checks 'KmsKeyRotation,Nope': unknown Nope; allowed: "),
    (["--workers", "0"], "--workers 0: allowed: 1 to 32"),
    (["--endpoint-url", "localhost"], "--endpoint-url 'localhost': allowed: an http(s) URL"),
    (["--env", "nowhere"], "unknown environment"),
])
def test_bad_arguments_are_one_line_and_exit_2(aws, tmp_path, capsys, argv, words):
    assert main(["audit", "--out", str(tmp_path), *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and words in err
    assert not list(tmp_path.iterdir())


def test_the_command_writes_every_format_and_exits_1_on_a_failure(aws, tmp_path, capsys):
    aws.client("kms").create_key()
    assert main(["audit", "--out", str(tmp_path), "--checks", "KmsKeyRotation", "--no-progress"]) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "audit-report.csv", "audit-report.html", "audit-report.json", "audit-report.md"]
    out = capsys.readouterr().out
    assert "FAIL" in out.upper() and "Audit-KmsKeyRotation" in out


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def moto_server(monkeypatch):
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    environment = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                   "AWS_DEFAULT_REGION": "ap-northeast-1"}
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    yield url
    server.stop()


def _audit(url, out, *extra):
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    return subprocess.run([sys.executable, "-m", "compliance", "audit", "--endpoint-url", url, "--out", str(out),
                           "--no-progress", *extra], cwd=PROJECT, env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_command_talks_to_a_moto_server_over_http(moto_server, default_assembly, tmp_path):
    from compliance.cli import write_outputs
    from compliance.results import build_report
    from tests.audit.seed import MOTO_GAPS, seed_compliant_account

    names = seed_compliant_account(moto_server)
    out = tmp_path / "cdk.out"
    out.mkdir()
    write_outputs(build_report(default_assembly), out, sources={})
    checks = ",".join(c.id for c in all_checks() if c.id not in MOTO_GAPS)
    good = _audit(moto_server, out, "--checks", checks)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "0 fail, 0 unverified" in good.stdout and "gate: PASSED (every check passed)" in good.stdout
    document = json.loads((out / "audit-report.json").read_text(encoding="utf-8"))
    assert document["summary"]["results"]["pass"] >= len(all_checks()) - len(MOTO_GAPS)
    row = next(r for r in document["combined"] if r["id"] == "10.1.1")
    assert row["templates"]["status"] == "met" and row["account"]["status"] == "met"
    assert "Templates and account, per clause" in (out / "audit-report.html").read_text(encoding="utf-8")

    boto3.client("kms", region_name="ap-northeast-1", endpoint_url=moto_server).disable_key_rotation(
        KeyId=names["key"])
    bad = _audit(moto_server, out, "--checks", checks)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert f"VIOLATED [10.1.1] Audit-KmsKeyRotation at {names['key']}: fail: " \
           "GetKeyRotationStatus.KeyRotationEnabled = False" in bad.stdout


def test_checks_moto_cannot_answer_are_unverified_not_passed(moto_server, tmp_path):
    from tests.audit.seed import MOTO_GAPS

    result = _audit(moto_server, tmp_path, "--checks", ",".join(MOTO_GAPS))
    assert result.returncode == 1
    document = json.loads((tmp_path / "audit-report.json").read_text(encoding="utf-8"))
    assert document["summary"]["results"]["pass"] == 0
    ebs = next(e for e in document["gate"]["blocking"] if e["rule"] == "Audit-EbsEncryptionByDefault")
    assert ebs["result"] == "unverified" and "ec2:GetEbsDefaultKmsKeyId" in ebs["message"]


def test_an_unreachable_endpoint_is_a_credential_error(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    result = _audit(f"http://127.0.0.1:{_free_port()}", tmp_path, "--checks", "KmsKeyRotation")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: credentials or endpoint:")


def test_an_acknowledged_failure_no_longer_blocks_but_keeps_its_reason(aws):
    from config.settings import AuditAcknowledgement

    arn = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    reason = "This key only wraps imported test data and is destroyed after the migration week."
    accepted = (AuditAcknowledgement(check="KmsKeyRotation", resource=arn.rsplit("/", 1)[0] + "/*", reason=reason),
                AuditAcknowledgement(check="KmsKeyRotation", resource="arn:aws:kms:*:*:key/none", reason=reason))
    document = build_audit_report(run_checks(aws, (ROTATION,)), account_id="123456789012", region=aws.region,
                                  environment="default", acknowledgements=accepted)
    assert document["gate"] == {"passed": True, "blocking": []}
    (evaluation,) = [e for c in document["clauses"] if c["id"] == "10.1.1" for r in c["rules"]
                     for e in r["evaluations"]]
    assert evaluation["status"] == "acknowledged" and evaluation["result"] == "fail"
    assert evaluation["acknowledgement"]["reason"] == reason
    assert [a["matched"] for a in document["acknowledgements"]] == [True, False]


def test_an_unverified_result_cannot_be_acknowledged(aws):
    from botocore.stub import Stubber

    from config.settings import AuditAcknowledgement

    kms = aws.client("kms")
    with Stubber(kms) as stub:
        stub.add_client_error("list_keys", "AccessDenied")
        runs = run_checks(aws, (ROTATION,))
    accepted = (AuditAcknowledgement(check="KmsKeyRotation", resource="*/*",
                                     reason="Nobody may read the keys of this account, by design of the auditors."),)
    document = build_audit_report(runs, account_id="123456789012", region=aws.region, environment="default",
                                  acknowledgements=accepted)
    assert [e["result"] for e in document["gate"]["blocking"]] == ["unverified"]


def test_an_acknowledgement_of_an_unknown_check_is_a_usage_error(aws, tmp_path, capsys):
    source = (PROJECT / "config" / "environments.toml").read_text(encoding="utf-8")
    config = tmp_path / "environments.toml"
    assert 'check = "ResourcesInJapan"' in source
    config.write_text(source.replace('check = "ResourcesInJapan"', 'check = "NoSuchCheck"'), encoding="utf-8")
    assert main(["audit", "--config", str(config), "--out", str(tmp_path / "out")]) == 2
    assert "default.audit_acknowledgements[0].check = 'NoSuchCheck': not an audit check; allowed: " in \
        capsys.readouterr().err


def test_an_unrouted_operation_reads_as_unsupported_in_one_line(aws):
    from botocore.stub import Stubber

    kms = aws.client("kms")
    with Stubber(kms) as stub:
        stub.add_client_error("list_keys", "404", "<!doctype html>\n<title>404 Not Found</title>\n" + "x" * 400)
        with pytest.raises(Unverifiable) as caught:
            call(kms, "list_keys")
    assert "kms:ListKeys: the API is not supported here (404: <!doctype html> <title>" in str(caught.value)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 300


def test_the_readme_lists_every_check_with_its_clauses_and_title():
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    for check in all_checks():
        assert f"| `{check.id}` | {', '.join(check.clauses)} | {check.title} |" in readme, check.id
