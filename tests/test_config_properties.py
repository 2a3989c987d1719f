"""Hostile configuration: whatever a configuration file holds, the answer is one line per problem naming the
field, never a traceback; and valid configurations synthesize with zero unacknowledged findings."""

import ipaddress
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.results import build_report
from config import ConfigurationError, load_environment
from config.settings import EnvironmentSettings, JAPAN_REGIONS
from tests.helpers import new_app
from tests.test_config import VALID, write_env

FIELDS = sorted(EnvironmentSettings.model_fields)

scalars = st.one_of(
    st.booleans(), st.integers(min_value=-10**6, max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=40),
    st.sampled_from(["", "ap-northeast-1", "us-east-1", "10.0.0.0/8", "0.0.0.0/0", "arn:aws:acm:x", "DELETE"]),
)
values = st.none() | st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=8)


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(FIELDS + ["unknown_field"]), value=values)
def test_any_value_in_any_field_is_accepted_or_refused_in_one_line_per_problem(tmp_path, field, value):
    try:
        path = write_env(tmp_path, **{field: value})
    except (TypeError, ValueError):
        return  # not representable in TOML (e.g. a dict key that is not text)
    try:
        load_environment("test", path)
    except ConfigurationError as error:
        assert error.problems
        for problem in error.problems:
            line = problem.line()
            assert "\n" not in line
            assert problem.field.startswith("test.") or problem.field == "(file)"
            assert "; allowed: " in line or "unknown field" in line
        assert len(str(error).splitlines()) == len(error.problems)


def _zones(region):
    return [f"{region}{suffix}" for suffix in ("a", "c", "d")]


@st.composite
def valid_environments(draw):
    region = draw(st.sampled_from(JAPAN_REGIONS))
    zones = draw(st.sampled_from([_zones(region)[:2], _zones(region)]))
    service_prefix = draw(st.sampled_from([16, 18, 19]) if len(zones) == 3 else st.sampled_from([16, 19, 20]))
    service = ipaddress.IPv4Network(f"10.{draw(st.integers(0, 99))}.0.0/{service_prefix}", strict=False)
    management = ipaddress.IPv4Network(f"10.{draw(st.integers(100, 199))}.0.0/{draw(st.sampled_from([16, 20, 22]))}",
                                       strict=False)
    copy_region = next(r for r in JAPAN_REGIONS if r != region)
    operator = draw(st.sampled_from(["identity-center", "identity-account"]))
    minimum = draw(st.integers(1, 4))
    return {
        **VALID,
        "region": region,
        "availability_zones": zones,
        "certificate_arn": VALID["certificate_arn"].replace("ap-northeast-1", region),
        "log_retention_days": draw(st.sampled_from([365, 400, 731, 3653])),
        "service_vpc_cidr": str(service),
        "management_vpc_cidr": str(management),
        "nat_gateways": draw(st.integers(1, len(zones))),
        "application_port": draw(st.sampled_from([8080, 3000])),
        "database_port": draw(st.sampled_from([5432, 6543])),
        "app_min_capacity": minimum,
        "app_max_capacity": draw(st.integers(minimum, 8)),
        "waf_rate_limit": draw(st.integers(100, 20000)),
        "backup_vault_lock_mode": draw(st.sampled_from(["governance", "compliance"])),
        "backup_copy_region": draw(st.sampled_from([None, copy_region])),
        "account_security": draw(st.sampled_from(["owned", "external"])),
        "operator_access": operator,
        "operator_identity_account": "210987654321" if operator == "identity-account" else None,
        "edge_allowed_countries": draw(st.sampled_from([["JP"], ["JP", "US"], []])),
    }



@settings(max_examples=16, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(environment=valid_environments())
def test_every_valid_configuration_synthesizes_with_no_unacknowledged_finding(tmp_path, environment):
    import app as project

    path = write_env(tmp_path, **environment)
    configuration = load_environment("test", path)
    application = new_app()
    project.build(application, configuration)
    application.synth()
    report = build_report(Path(application.outdir))
    assert report["gate"] == {"passed": True, "blocking": []}, report["gate"]["blocking"][:3]
