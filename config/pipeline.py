"""Typed settings of the delivery pipeline (12.1.2), read from config/pipeline.toml.

Each field names what it accepts in ``allowed`` and, where it protects a whitepaper promise, the clause in
``clause``; every problem is one line, as for the environments (config/loader.py).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from config.loader import (
    _MISSING,
    DEFAULT_FILE,
    ConfigurationError,
    Problem,
    _display,
    environment_names,
    load_environment,
    problems_of,
)
from config.settings import (
    JAPAN_REGIONS,
    CrossFieldError,
    _meta,
    check_account,
    check_emails,
    check_japan_region,
    check_prefix,
    check_tag_keys,
)

DEFAULT_PIPELINE_FILE = Path(__file__).with_name("pipeline.toml")
PIPELINE = "pipeline"
"""The table of the pipeline file that holds the settings."""

_CONNECTION_ARN = re.compile(
    r"^arn:aws:(?:codestar-connections|codeconnections):(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"connection/[0-9a-f-]{36}$"
)
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$")
_BRANCH = re.compile(r"^(?!/)(?!.*//)(?!.*\.\.)(?!.*@\{)[A-Za-z0-9._/-]{1,200}(?<![/.])$")
_ENVIRONMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


class PipelineSettings(BaseModel):
    """The pipeline that delivers the environments, in order, from one branch of one repository."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    description: Annotated[str, Field(**_meta(allowed="free text"))] = ""
    account: Annotated[
        str,
        Field(**_meta(allowed="a 12-digit AWS account ID, as a string",
                      description="Account of the pipeline, its artifacts and its connection.")),
    ]
    region: Annotated[
        str,
        Field(**_meta(allowed=" or ".join(JAPAN_REGIONS), clause="6.1.3",
                      description="Region of the pipeline and its artifact bucket: in Japan.")),
    ]
    name_prefix: Annotated[
        str,
        Field(**_meta(allowed="3-30 characters: lowercase letters, digits and hyphens, starting with a letter",
                      description="Prefix of the pipeline's stack and pipeline names.")),
    ] = "tomolinks-delivery"
    connection_arn: Annotated[
        str,
        Field(**_meta(allowed="a CodeConnections (or CodeStar Connections) connection ARN in the pipeline's "
                              "account and region", clause="12.1.2",
                      description="The connection to the source repository.")),
    ]
    repository: Annotated[
        str,
        Field(**_meta(allowed="owner/name of the repository the connection reaches", clause="12.1.2")),
    ]
    branch: Annotated[
        str,
        Field(**_meta(allowed="a git branch name such as main", clause="12.1.2",
                      description="Every commit to this branch is delivered; nothing else is.")),
    ] = "main"
    environments: Annotated[
        list[str],
        Field(**_meta(allowed="1 to 10 distinct environment names of the environments file, in delivery order",
                      clause="12.1.2", description="One stage per environment, deployed in this order.")),
    ]
    production: Annotated[
        str | None,
        Field(**_meta(allowed="one of environments (default: the last)", clause="12.1.2",
                      description="The environment a person approves each change into.")),
    ] = None
    notification_emails: Annotated[
        list[str],
        Field(**_meta(allowed="1 to 10 e-mail addresses", clause="12.1.2",
                      description="Who is told of failed and succeeded runs and of approvals waiting.")),
    ]
    tags: Annotated[
        dict[str, str],
        Field(**_meta(allowed="tag keys (1-128 characters, not aws:) to values")),
    ] = Field(default_factory=dict)

    @property
    def production_environment(self) -> str:
        return self.production or self.environments[-1]

    @field_validator("account")
    @classmethod
    def _account(cls, value: str) -> str:
        return check_account(value)

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        return check_japan_region(value)

    @field_validator("name_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        return check_prefix(value)

    @field_validator("connection_arn")
    @classmethod
    def _connection(cls, value: str) -> str:
        if not _CONNECTION_ARN.match(value):
            raise ValueError("not a connection ARN")
        return value

    @field_validator("repository")
    @classmethod
    def _repository(cls, value: str) -> str:
        if not _REPOSITORY.match(value):
            raise ValueError("not owner/name")
        return value

    @field_validator("branch")
    @classmethod
    def _branch(cls, value: str) -> str:
        if not _BRANCH.match(value) or value.endswith(".lock"):
            raise ValueError("not a git branch name")
        return value

    @field_validator("environments")
    @classmethod
    def _environments(cls, value: list[str]) -> list[str]:
        if not 1 <= len(value) <= 10:
            raise ValueError("need 1 to 10 environments")
        for name in value:
            if not _ENVIRONMENT.match(name):
                raise ValueError(f"{name!r} is not an environment name")
        if len(set(value)) != len(value):
            raise ValueError("an environment is listed twice")
        return value

    @field_validator("notification_emails")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        return check_emails(value)

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: dict[str, str]) -> dict[str, str]:
        return check_tag_keys(value)

    @model_validator(mode="after")
    def _cross_field(self) -> "PipelineSettings":
        match = _CONNECTION_ARN.match(self.connection_arn)
        if match and (match["region"], match["account"]) != (self.region, self.account):
            raise CrossFieldError("connection_arn", self.connection_arn,
                                  f"connection must be in {self.region} of account {self.account}")
        if self.production is not None and self.production not in self.environments:
            raise CrossFieldError("production", self.production, f"not in environments {self.environments}")
        return self


def load_pipeline(path: Path | str | None = None, environments_file: Path | str | None = None) -> PipelineSettings:
    """Return the validated pipeline settings, whose environments all exist in ``environments_file``,
    or raise ConfigurationError."""
    file = Path(path) if path else DEFAULT_PIPELINE_FILE
    source = _display(file)
    try:
        document = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError([Problem(source, "pipeline_config (-c pipeline_config=PATH)", str(file),
                                          "file not found", "a readable TOML file")]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigurationError([Problem(source, "(file)", str(file), f"not valid TOML: {error}",
                                          f"a TOML file with a [{PIPELINE}] table")]) from None
    raw = document.get(PIPELINE, _MISSING)
    if not isinstance(raw, dict) or set(document) != {PIPELINE}:
        value = _MISSING if raw is _MISSING else sorted(document)
        raise ConfigurationError([Problem(source, PIPELINE, value, "the file must hold one [pipeline] table",
                                          f"[{PIPELINE}] with its fields")])
    try:
        settings = PipelineSettings.model_validate(raw)
    except ValidationError as error:
        raise ConfigurationError(problems_of(error, raw, source, PIPELINE, PipelineSettings,
                                             "config/pipeline.py")) from None
    known = environment_names(environments_file)
    missing = [name for name in settings.environments if name not in known]
    if missing:
        field = PipelineSettings.model_fields["environments"].json_schema_extra or {}
        raise ConfigurationError([Problem(
            source, f"{PIPELINE}.environments", settings.environments,
            f"{', '.join(missing)} not in {_display(Path(environments_file or DEFAULT_FILE))}",
            "names of " + (", ".join(known) or "no environment"), str(field.get("clause")),
        )])
    _check_together(settings, environments_file, source)
    return settings


def _check_together(settings: PipelineSettings, environments_file: Path | str | None, source: str) -> None:
    """Environments one pipeline delivers must not collide in an account: one owner of the account's security
    services per region, and distinct stack names."""
    loaded = [(name, load_environment(name, environments_file)) for name in settings.environments]
    owners: dict[tuple[str, str], str] = {}
    prefixes: dict[tuple[str, str], str] = {}
    for name, environment in loaded:
        if environment.account_security == "owned":
            other = owners.setdefault((environment.account, environment.region), name)
            if other != name:
                raise ConfigurationError([Problem(
                    source, f"{PIPELINE}.environments", settings.environments,
                    f"{other} and {name} both own the security services of account {environment.account} in "
                    f"{environment.region}", "at most one environment with account_security = owned per account "
                    "and region (set external on the others)", "CLD.12.4.5")])
        other = prefixes.setdefault((environment.account, environment.name_prefix), name)
        if other != name:
            raise ConfigurationError([Problem(
                source, f"{PIPELINE}.environments", settings.environments,
                f"{other} and {name} share name_prefix {environment.name_prefix} in account {environment.account}",
                "environments of one account with different name_prefix values", None)])
