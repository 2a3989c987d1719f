"""Tenant offboarding (CLD.8.1.5) against moto's S3, with CloudFormation and access denials stubbed (botocore
Stubber), through `python -m tenants offboard`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import ANY, Stubber
from moto import mock_aws

from tenants import offboard as module
from tenants.offboard import (
    BUCKET_OUTPUTS,
    MAX_TAGS,
    OFFBOARDED,
    TENANT_STATUS_TAG,
    OffboardError,
    Progress,
    clients,
    main,
    offboard,
)

ROOT = Path(__file__).resolve().parent.parent
REGION = "ap-northeast-1"
DATA_STACK = "tomolinks-example-data"
"""The default environment's Data stack (name_prefix tomolinks-example)."""
MATERIALS = "tomolinks-teaching-materials"
RECORDS = "tomolinks-learning-records"
OFFBOARDED_TAG = {"Key": TENANT_STATUS_TAG, "Value": OFFBOARDED}


@pytest.fixture
def aws(monkeypatch):
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
                 "AWS_ENDPOINT_URL_CLOUDFORMATION", "COMPLIANCE_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        yield boto3.client("s3", region_name=REGION)


def versioned_bucket(s3, name):
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


def put(s3, bucket, key, *, versions=1, tags=None):
    for number in range(versions):
        extra = {"Tagging": "&".join(f"{k}={v}" for k, v in tags.items())} if tags else {}
        s3.put_object(Bucket=bucket, Key=key, Body=f"{key} {number}".encode(), **extra)


def all_versions(s3, bucket, prefix=""):
    pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix)
    return [(v["Key"], v["VersionId"]) for page in pages for v in page.get("Versions", [])]


def tags_of(s3, bucket, key, version_id):
    tags = s3.get_object_tagging(Bucket=bucket, Key=key, VersionId=version_id)["TagSet"]
    return {tag["Key"]: tag["Value"] for tag in tags}


@pytest.fixture
def buckets(aws):
    """Two customer-data buckets holding tenants acme, acme-2 and acmex, with noncurrent versions and a deletion."""
    s3 = aws
    versioned_bucket(s3, MATERIALS)
    versioned_bucket(s3, RECORDS)
    put(s3, MATERIALS, "acme/lesson-1.pdf", versions=3)
    put(s3, MATERIALS, "acme/units/2/notes.md", versions=2)
    put(s3, MATERIALS, "acme-2/lesson-1.pdf", versions=2)
    put(s3, MATERIALS, "acmex/lesson-1.pdf")
    put(s3, MATERIALS, "acme.txt")
    put(s3, RECORDS, "acme/2026/11/records.json", versions=2)
    s3.delete_object(Bucket=RECORDS, Key="acme/2026/11/records.json")
    put(s3, RECORDS, "acme-2/2026/11/records.json")
    return s3


def run(argv, capsys, make_clients=clients):
    code = main(argv, make_clients=make_clients)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def explicit(tenant, *extra):
    return ["offboard", "--bucket", MATERIALS, "--bucket", RECORDS, "--region", REGION, "--no-progress", *extra,
            "--", tenant]


def summary_of(out):
    return json.loads(out.splitlines()[-1])


def test_dry_run_lists_every_version_of_the_tenant_and_changes_nothing(buckets, capsys):
    s3 = buckets
    code, out, err = run(explicit("acme", "--dry-run"), capsys)
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    listed = {(entry["bucket"], entry["key"], entry["version_id"]) for entry in lines[:-1]}
    expected = {(MATERIALS, key, version) for key, version in all_versions(s3, MATERIALS, "acme/")}
    expected |= {(RECORDS, key, version) for key, version in all_versions(s3, RECORDS, "acme/")}
    assert listed == expected and len(listed) == 7
    assert {entry["action"] for entry in lines[:-1]} == {"tag"}
    assert sum(entry["latest"] for entry in lines[:-1]) == 2
    summary = lines[-1]
    assert summary["dry_run"] is True and summary["tenant"] == "acme" and summary["prefix"] == "acme/"
    assert summary["buckets"][MATERIALS] == {"versions": 5, "tagged": 5, "already_tagged": 0, "gone": 0,
                                             "skipped": 0, "delete_markers": 0}
    assert summary["buckets"][RECORDS]["delete_markers"] == 1
    assert summary["totals"]["tagged"] == 7 and summary["problems"] == []
    for bucket in (MATERIALS, RECORDS):
        for key, version in all_versions(s3, bucket):
            assert tags_of(s3, bucket, key, version) == {}
    assert err == ""


def test_run_tags_every_version_of_the_tenant_and_no_other_tenant(buckets, capsys):
    s3 = buckets
    code, out, err = run(explicit("acme"), capsys)
    assert code == 0, err
    assert len(out.splitlines()) == 1
    summary = summary_of(out)
    assert summary["dry_run"] is False
    assert summary["totals"] == {"versions": 7, "tagged": 7, "already_tagged": 0, "gone": 0, "skipped": 0,
                                 "delete_markers": 1}
    for bucket in (MATERIALS, RECORDS):
        for key, version in all_versions(s3, bucket):
            expected = {TENANT_STATUS_TAG: OFFBOARDED} if key.startswith("acme/") else {}
            assert tags_of(s3, bucket, key, version) == expected, (bucket, key, version)


def test_a_second_run_finds_everything_already_tagged(buckets, capsys):
    assert run(explicit("acme"), capsys)[0] == 0
    code, out, _ = run(explicit("acme"), capsys)
    assert code == 0
    assert summary_of(out)["totals"] == {"versions": 7, "tagged": 0, "already_tagged": 7, "gone": 0,
                                         "skipped": 0, "delete_markers": 1}


def test_existing_tags_are_kept_and_another_status_is_replaced(aws, capsys):
    s3 = aws
    versioned_bucket(s3, MATERIALS)
    put(s3, MATERIALS, "acme/kept.pdf", tags={"DataClassification": "customer", "Owner": "teacher-7"})
    put(s3, MATERIALS, "acme/active.pdf", tags={TENANT_STATUS_TAG: "active", "Owner": "teacher-7"})
    code, out, err = run(["offboard", "acme", "--bucket", MATERIALS, "--region", REGION, "--no-progress"], capsys)
    assert code == 0, err
    ((_, kept),) = all_versions(s3, MATERIALS, "acme/kept.pdf")
    assert tags_of(s3, MATERIALS, "acme/kept.pdf", kept) == {
        "DataClassification": "customer", "Owner": "teacher-7", TENANT_STATUS_TAG: OFFBOARDED}
    ((_, active),) = all_versions(s3, MATERIALS, "acme/active.pdf")
    assert tags_of(s3, MATERIALS, "acme/active.pdf", active) == {"Owner": "teacher-7", TENANT_STATUS_TAG: OFFBOARDED}


def test_an_object_with_ten_tags_is_reported_skipped_and_exits_1(aws, capsys):
    s3 = aws
    versioned_bucket(s3, MATERIALS)
    put(s3, MATERIALS, "acme/full.pdf", tags={f"Label{n}": "x" for n in range(MAX_TAGS)})
    put(s3, MATERIALS, "acme/full-with-status.pdf",
        tags={TENANT_STATUS_TAG: "active", **{f"Label{n}": "x" for n in range(MAX_TAGS - 1)}})
    put(s3, MATERIALS, "acme/plain.pdf")
    code, out, err = run(["offboard", "acme", "--bucket", MATERIALS, "--region", REGION, "--no-progress"], capsys)
    assert code == 1
    ((_, full),) = all_versions(s3, MATERIALS, "acme/full.pdf")
    assert TENANT_STATUS_TAG not in tags_of(s3, MATERIALS, "acme/full.pdf", full)
    ((_, replaced),) = all_versions(s3, MATERIALS, "acme/full-with-status.pdf")
    assert tags_of(s3, MATERIALS, "acme/full-with-status.pdf", replaced)[TENANT_STATUS_TAG] == OFFBOARDED
    ((_, plain),) = all_versions(s3, MATERIALS, "acme/plain.pdf")
    assert tags_of(s3, MATERIALS, "acme/plain.pdf", plain) == {TENANT_STATUS_TAG: OFFBOARDED}
    summary = summary_of(out)
    assert summary["totals"]["tagged"] == 2 and summary["totals"]["skipped"] == 1
    (problem,) = summary["problems"]
    assert problem["key"] == "acme/full.pdf" and problem["version_id"] == full and "10 tags" in problem["reason"]
    assert f"problem: s3://{MATERIALS}/acme/full.pdf (version {full}): has 10 tags already" in err
    assert err.splitlines()[-1] == "error: 1 object versions of tenant acme could not be tagged (listed above)"


def test_dry_run_reports_what_the_tag_limit_would_skip(aws, capsys):
    s3 = aws
    versioned_bucket(s3, MATERIALS)
    put(s3, MATERIALS, "acme/full.pdf", tags={f"Label{n}": "x" for n in range(MAX_TAGS)})
    code, out, err = run(["offboard", "acme", "--bucket", MATERIALS, "--region", REGION, "--dry-run"], capsys)
    assert code == 1
    entry = json.loads(out.splitlines()[0])
    assert entry["action"] == "skip" and "S3 allows 10" in entry["reason"]
    assert "would not be tagged" in err


def test_unknown_tenant_is_one_line_exit_2(buckets, capsys):
    code, out, err = run(explicit("globex"), capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"error: unknown tenant 'globex': nothing under 'globex/' in {MATERIALS}, {RECORDS}; ")
    assert "--allow-empty" in err


def test_allow_empty_records_an_offboarding_without_data(buckets, capsys):
    code, out, _ = run(explicit("globex", "--allow-empty"), capsys)
    assert code == 0
    assert summary_of(out)["totals"]["versions"] == 0


def test_a_tenant_prefix_does_not_reach_a_longer_tenant_id(buckets, capsys):
    s3 = buckets
    assert run(explicit("acme-2"), capsys)[0] == 0
    for key, version in all_versions(s3, MATERIALS):
        assert (TENANT_STATUS_TAG in tags_of(s3, MATERIALS, key, version)) == key.startswith("acme-2/")


def test_unknown_bucket_is_one_line_exit_2_and_nothing_is_tagged(buckets, capsys):
    s3 = buckets
    code, out, err = run(["offboard", "acme", "--bucket", MATERIALS, "--bucket", "no-such-bucket-x",
                          "--region", REGION, "--no-progress"], capsys)
    assert code == 2 and out == ""
    assert err == "error: bucket no-such-bucket-x: no such bucket\n"
    for key, version in all_versions(s3, MATERIALS):
        assert tags_of(s3, MATERIALS, key, version) == {}


@pytest.mark.parametrize("tenant", ["Acme", "a", "-acme", "acme/", "../acme", "acme_1", "a" * 64, ""])
def test_an_invalid_tenant_id_names_the_argument_and_the_pattern(tenant, aws, capsys):
    code, out, err = run(explicit(tenant), capsys)
    assert code == 2 and out == ""
    assert err == (f"error: TENANT {tenant!r}: not a tenant ID; allowed: [a-z0-9][a-z0-9-]{{1,62}} "
                   "(lowercase letters, digits and hyphens, 2-63 characters)\n")


def stubbed_cloudformation(*responses):
    """A CloudFormation client answering DescribeStacks of the Data stack with ``responses`` (outputs, or an
    error code and message), and a client factory giving it beside moto's S3."""
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    stubber = Stubber(cloudformation)
    for response in responses:
        if isinstance(response, tuple):
            stubber.add_client_error("describe_stacks", service_error_code=response[0], service_message=response[1],
                                     http_status_code=400, expected_params={"StackName": DATA_STACK})
        else:
            stubber.add_response("describe_stacks", {"Stacks": [{
                "StackName": DATA_STACK, "CreationTime": "2026-01-01T00:00:00Z", "StackStatus": "CREATE_COMPLETE",
                "Outputs": [{"OutputKey": key, "OutputValue": value} for key, value in response.items()]}]},
                expected_params={"StackName": DATA_STACK})
    stubber.activate()
    calls = []

    def make_clients(**kwargs):
        calls.append(kwargs)
        return boto3.client("s3", region_name=kwargs["region"]), cloudformation

    return make_clients, stubber, calls


def test_buckets_are_discovered_from_the_data_stack_outputs_of_the_environment(aws, capsys):
    s3 = aws
    names = dict(zip(BUCKET_OUTPUTS, (MATERIALS, RECORDS)))
    for name in names.values():
        versioned_bucket(s3, name)
    put(s3, MATERIALS, "acme/lesson.pdf")
    put(s3, MATERIALS, "acme/units/lesson.pdf")
    put(s3, RECORDS, "acme/records.json")
    put(s3, RECORDS, "other/records.json")
    make_clients, stubber, calls = stubbed_cloudformation(names)
    code, out, err = run(["offboard", "acme", "--env", "default", "--no-progress"], capsys, make_clients)
    assert code == 0, err
    stubber.assert_no_pending_responses()
    assert calls == [{"region": REGION, "profile": None, "endpoint_url": None}]
    summary = summary_of(out)
    assert list(summary["buckets"]) == [MATERIALS, RECORDS]
    assert summary["totals"]["tagged"] == 3
    ((_, other),) = all_versions(s3, RECORDS, "other/")
    assert tags_of(s3, RECORDS, "other/records.json", other) == {}


def test_a_missing_data_stack_suggests_bucket(aws, capsys):
    make_clients, stubber, _ = stubbed_cloudformation(("ValidationError", f"Stack with id {DATA_STACK} does not exist"))
    code, out, err = run(["offboard", "acme"], capsys, make_clients)
    assert code == 2 and out == ""
    assert err == (f"error: stack {DATA_STACK} not found in {REGION}: deploy the Data stack, "
                   "or name the customer-data buckets with --bucket\n")
    stubber.assert_no_pending_responses()


def test_a_data_stack_without_the_bucket_outputs_names_them(aws, capsys):
    make_clients, _, _ = stubbed_cloudformation({"TeachingMaterialsBucketName": MATERIALS})
    code, _, err = run(["offboard", "acme"], capsys, make_clients)
    assert code == 2
    assert err.startswith(f"error: stack {DATA_STACK} has no output LearningRecordsBucketName: ")
    assert err.count("\n") == 1


def test_access_denied_to_the_data_stack_names_the_permission(aws, capsys):
    make_clients, _, _ = stubbed_cloudformation(("AccessDenied", "User: x is not authorized"))
    code, out, err = run(["offboard", "acme"], capsys, make_clients)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith(f"error: access denied: cloudformation:DescribeStacks on stack {DATA_STACK}; ")


def test_paging_reaches_every_version(aws):
    s3 = aws
    versioned_bucket(s3, MATERIALS)
    put(s3, MATERIALS, "acme/same.pdf", versions=9)
    for number in range(8):
        put(s3, MATERIALS, f"acme/part-{number}.pdf")
    s3.delete_object(Bucket=MATERIALS, Key="acme/part-0.pdf")
    calls = []
    s3.meta.events.register("before-parameter-build.s3.ListObjectVersions",
                            lambda params, **kwargs: calls.append(dict(params)))
    summary = offboard(s3, [MATERIALS], "acme", page_size=4)
    assert [params["MaxKeys"] for params in calls] == [1, 4, 4, 4, 4, 4]  # whether acme/ holds anything, then 5 pages
    assert summary.total().tagged == 17 and summary.total().delete_markers == 1
    for key, version in all_versions(s3, MATERIALS):
        assert tags_of(s3, MATERIALS, key, version) == {TENANT_STATUS_TAG: OFFBOARDED}


class Stream(list):
    def __init__(self, tty=False):
        super().__init__()
        self.tty = tty

    def write(self, text):
        self.append(text)

    def flush(self):
        pass

    def isatty(self):
        return self.tty


def test_progress_goes_to_stderr_in_periodic_lines_and_stdout_stays_json(buckets, capsys):
    code, out, err = run(["offboard", "--bucket", MATERIALS, "--bucket", RECORDS, "--region", REGION,
                          "--progress-every", "2", "--page-size", "3", "acme"], capsys)
    assert code == 0
    summary_of(out)
    assert len(out.splitlines()) == 1
    assert err.splitlines() == [
        f"offboard acme: s3://{MATERIALS}: 2 object versions, 2 tagged, 0 already tagged, 0 skipped",
        f"offboard acme: s3://{MATERIALS}: 4 object versions, 4 tagged, 0 already tagged, 0 skipped",
        f"offboard acme: s3://{MATERIALS}: 5 object versions, 5 tagged, 0 already tagged, 0 skipped: done",
        f"offboard acme: s3://{RECORDS}: 2 object versions, 2 tagged, 0 already tagged, 0 skipped",
        f"offboard acme: s3://{RECORDS}: 2 object versions, 2 tagged, 0 already tagged, 0 skipped: done",
    ]


def test_progress_by_default_off_a_terminal_is_a_line_per_bucket_and_per_thousand(buckets, capsys):
    code, _, err = run(["offboard", "--bucket", MATERIALS, "--bucket", RECORDS, "--region", REGION, "acme"], capsys)
    assert code == 0
    assert [line.split(": ", 2)[1] for line in err.splitlines()] == [f"s3://{MATERIALS}", f"s3://{RECORDS}"]
    assert all(line.endswith(": done") for line in err.splitlines())


def test_progress_on_a_terminal_rewrites_one_line_at_most_five_times_a_second(buckets):
    stream = Stream(tty=True)
    ticks = iter([0.0, 0.0, 0.1, 0.25, 0.25, 0.3, 0.5, 0.5])
    progress = Progress(stream, "acme", False, 1000, live=True, clock=lambda: next(ticks))
    offboard(buckets, [MATERIALS], "acme", progress=progress, workers=1)
    line = f"offboard acme: s3://{MATERIALS}: {{}} object versions, {{}} tagged, 0 already tagged, 0 skipped"
    assert stream == [f"\r{line.format(1, 1)}", f"\r{line.format(3, 3)}", f"\r{line.format(5, 5)}",
                      f"\r{line.format(5, 5)}: done\n"]


def test_an_error_after_a_live_line_starts_on_a_line_of_its_own(buckets, monkeypatch):
    stream = Stream(tty=True)
    monkeypatch.setattr(sys, "stderr", stream)

    def deny(params, **kwargs):
        if params["Key"] == "acme/units/2/notes.md":
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, "PutObjectTagging")

    s3 = boto3.client("s3", region_name=REGION)
    s3.meta.events.register("before-parameter-build.s3.PutObjectTagging", deny)
    code = main(["offboard", "--bucket", MATERIALS, "--region", REGION, "--workers", "1", "acme"],
                make_clients=lambda **kwargs: (s3, None))
    assert code == 2
    text = "".join(stream)
    assert text.startswith("\roffboard acme: ") and text.count("\n") == 2
    assert text.splitlines()[-1].startswith("error: access denied: s3:PutObjectVersionTagging on "
                                            f"s3://{MATERIALS}/acme/units/2/notes.md (version ")


def test_no_progress_with_no_progress(buckets, capsys):
    code, _, err = run(explicit("acme", "--progress-every", "1"), capsys)
    assert code == 0 and err == ""


def test_progress_in_a_dry_run_says_would_tag(buckets):
    stream = Stream()
    offboard(buckets, [RECORDS], "acme", dry_run=True, progress=Progress(stream, "acme", True, 100))
    assert stream == [f"offboard acme: s3://{RECORDS}: 2 object versions, 2 would tag, 0 already tagged, "
                      "0 skipped: done\n"]


def test_clients_retry_in_standard_mode_and_use_path_style_on_another_endpoint(aws):
    s3, cloudformation = clients(region=REGION, endpoint_url="http://127.0.0.1:5000")
    for client in (s3, cloudformation):
        assert client.meta.config.retries["mode"] == "standard"
        assert client.meta.endpoint_url == "http://127.0.0.1:5000"
        assert client.meta.region_name == REGION
    assert s3.meta.config.s3 == {"addressing_style": "path"}


def test_an_unknown_profile_is_one_line_exit_2(aws, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    code, _, err = run(explicit("acme", "--profile", "nobody"), capsys)
    assert code == 2 and err == "error: --profile nobody: no such AWS profile\n"


def test_missing_credentials_are_one_line_exit_2(capsys, tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code, out, err = run(explicit("acme"), capsys)
    assert code == 2 and out == ""
    assert err == "error: no AWS credentials: pass --profile or set the standard AWS environment variables\n"


def test_an_unexpected_error_is_one_line_unless_debugging(buckets, capsys, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(module, "offboard", boom)
    code, _, err = run(explicit("acme"), capsys)
    assert code == 2
    assert err == "error: unexpected RuntimeError: boom (set COMPLIANCE_DEBUG=1 for the traceback)\n"
    monkeypatch.setenv("COMPLIANCE_DEBUG", "1")
    with pytest.raises(RuntimeError):
        main(explicit("acme"))


def test_offboard_refuses_an_invalid_tenant_before_any_call(aws):
    with pytest.raises(OffboardError, match="not a tenant ID"):
        offboard(aws, [MATERIALS], "ACME")


def test_more_than_a_thousand_versions_are_all_tagged_over_pages(aws):
    s3 = aws
    versioned_bucket(s3, MATERIALS)
    put(s3, MATERIALS, "acme/big.bin", versions=1001)
    put(s3, MATERIALS, "acme/small.bin", versions=2)
    pages = []
    s3.meta.events.register("after-call.s3.ListObjectVersions",
                            lambda parsed, **kwargs: pages.append(len(parsed.get("Versions", []))))
    summary = offboard(s3, [MATERIALS], "acme")
    assert pages == [1, 1000, 3]
    assert summary.total().tagged == 1003
    assert all(tags_of(s3, MATERIALS, key, version) == {TENANT_STATUS_TAG: OFFBOARDED}
               for key, version in all_versions(s3, MATERIALS))


def test_an_unversioned_bucket_is_tagged_through_version_null(aws):
    s3 = aws
    s3.create_bucket(Bucket=MATERIALS, CreateBucketConfiguration={"LocationConstraint": REGION})
    put(s3, MATERIALS, "acme/lesson.pdf", tags={"Owner": "teacher-7"})
    assert offboard(s3, [MATERIALS], "acme").total().tagged == 1
    assert tags_of(s3, MATERIALS, "acme/lesson.pdf", "null") == {"Owner": "teacher-7", TENANT_STATUS_TAG: OFFBOARDED}


def test_a_version_deleted_after_listing_counts_as_gone_not_as_a_problem(buckets, capsys):
    s3 = buckets
    deleted = []

    def delete_first(params, **kwargs):
        if not deleted:
            deleted.append(params["VersionId"])
            boto3.client("s3", region_name=REGION).delete_object(
                Bucket=params["Bucket"], Key=params["Key"], VersionId=params["VersionId"])

    s3.meta.events.register("before-parameter-build.s3.GetObjectTagging", delete_first)
    summary = offboard(s3, [MATERIALS, RECORDS], "acme", workers=1)
    assert summary.total().gone == 1 and summary.total().tagged == 6 and summary.problems == []


def test_a_tenant_with_only_delete_markers_left_is_known_and_has_nothing_to_tag(aws, capsys):
    s3 = aws
    versioned_bucket(s3, MATERIALS)
    put(s3, MATERIALS, "acme/lesson.pdf")
    ((_, version),) = all_versions(s3, MATERIALS)
    s3.delete_object(Bucket=MATERIALS, Key="acme/lesson.pdf")
    s3.delete_object(Bucket=MATERIALS, Key="acme/lesson.pdf", VersionId=version)
    code, out, err = run(["offboard", "--bucket", MATERIALS, "--region", REGION, "--no-progress", "acme"], capsys)
    assert code == 0, err
    assert summary_of(out)["totals"] == {"versions": 0, "tagged": 0, "already_tagged": 0, "gone": 0,
                                              "skipped": 0, "delete_markers": 1}


def stubbed_s3(*calls):
    """An S3 client answering ``calls`` in order: (operation, response dict) or (operation, error code)."""
    s3 = boto3.client("s3", region_name=REGION)
    stubber = Stubber(s3)
    for operation, answer in calls:
        if isinstance(answer, str):
            status = 403 if answer == "AccessDenied" else 404
            stubber.add_client_error(operation, service_error_code=answer, http_status_code=status)
        else:
            stubber.add_response(operation, answer, {name: ANY for name in PARAMS[operation]})
    stubber.activate()
    return s3, stubber


PARAMS = {
    "head_bucket": ("Bucket",),
    "list_object_versions": ("Bucket", "Prefix", "MaxKeys"),
    "get_object_tagging": ("Bucket", "Key", "VersionId"),
    "put_object_tagging": ("Bucket", "Key", "VersionId", "Tagging"),
}
LISTED = {"Versions": [{"Key": "acme/a.pdf", "VersionId": "v1", "IsLatest": True}], "IsTruncated": False}


@pytest.mark.parametrize("calls, message", [
    ([("head_bucket", "AccessDenied")],
     f"error: bucket {MATERIALS}: access denied (s3:ListBucket); check the name, the account and that these "
     "credentials may list and tag its object versions"),
    ([("head_bucket", {}), ("list_object_versions", "AccessDenied")],
     f"error: access denied: s3:ListBucketVersions on s3://{MATERIALS}/acme/; "),
    ([("head_bucket", {}), ("list_object_versions", LISTED), ("list_object_versions", LISTED),
      ("get_object_tagging", "AccessDenied")],
     f"error: access denied: s3:GetObjectVersionTagging on s3://{MATERIALS}/acme/a.pdf (version v1); "),
    ([("head_bucket", {}), ("list_object_versions", LISTED), ("list_object_versions", LISTED),
      ("get_object_tagging", {"TagSet": [{"Key": "Owner", "Value": "t"}]}), ("put_object_tagging", "AccessDenied")],
     f"error: access denied: s3:PutObjectVersionTagging on s3://{MATERIALS}/acme/a.pdf (version v1); grant it to "
     "these credentials (an offboarding needs s3:ListBucket, s3:ListBucketVersions, s3:GetObjectVersionTagging and "
     "s3:PutObjectVersionTagging)"),
], ids=["head-bucket", "list", "get-tagging", "put-tagging"])
def test_access_denied_is_one_line_exit_2_naming_the_permission(calls, message, capsys):
    s3, stubber = stubbed_s3(*calls)
    code, out, err = run(["offboard", "--bucket", MATERIALS, "--region", REGION, "acme"], capsys,
                         lambda **kwargs: (s3, None))
    assert code == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1
    stubber.assert_no_pending_responses()


def test_a_throttled_version_is_a_problem_and_exits_1(capsys):
    s3, _ = stubbed_s3(("head_bucket", {}), ("list_object_versions", LISTED), ("list_object_versions", LISTED),
                       ("get_object_tagging", "InternalError"))
    code, out, err = run(["offboard", "--bucket", MATERIALS, "--region", REGION, "--no-progress", "acme"], capsys,
                         lambda **kwargs: (s3, None))
    assert code == 1
    assert summary_of(out)["problems"] == [{"bucket": MATERIALS, "key": "acme/a.pdf", "version_id": "v1",
                                            "reason": "InternalError"}]
    assert err.splitlines()[-1] == "error: 1 object versions of tenant acme could not be tagged (listed above)"


def python_m_tenants(*args):
    return subprocess.run([sys.executable, "-m", "tenants", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "AWS_EC2_METADATA_DISABLED": "true"})


def test_python_dash_m_tenants_offboard_help():
    result = python_m_tenants("offboard", "--help")
    assert result.returncode == 0 and result.stderr == ""
    assert "usage: python -m tenants offboard" in result.stdout
    for option in ("--dry-run", "--bucket", "--env", "--no-progress", "--page-size", "--allow-empty"):
        assert option in result.stdout


@pytest.mark.parametrize("args, message", [
    (("offboard", "Not/A/Tenant"), "error: TENANT 'Not/A/Tenant': not a tenant ID; allowed: "),
    (("offboard", "--page-size", "0", "acme"), "error: argument --page-size: '0': not a positive whole number "
                                               "(see python -m tenants offboard --help)"),
    (("offboard",), "error: the following arguments are required: TENANT (see python -m tenants offboard --help)"),
])
def test_python_dash_m_tenants_bad_arguments_exit_2_with_one_line(args, message):
    result = python_m_tenants(*args)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1


def test_make_offboard_runs_the_command():
    result = subprocess.run(["make", "-n", "offboard", "TENANT=acme", "DRY_RUN=1", "ENV=staging"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert '.venv/bin/python -m tenants offboard --env staging --dry-run -- "$TENANT"' in result.stdout
    result = subprocess.run(["make", "--no-print-directory", "-o", "setup", "offboard", "TENANT=Not/A"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "error: TENANT 'Not/A': not a tenant ID; allowed: " in result.stderr
