"""Typed settings of one deployment environment.

Every field that protects a whitepaper promise names its clause in ``clause`` so that a
validation error says what it protects. ``allowed`` is the human description of the values
accepted, used verbatim in error messages.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

JAPAN_REGIONS = ("ap-northeast-1", "ap-northeast-3")
"""Tokyo and Osaka: the only places the whitepaper allows customer data to live (6.1.3)."""

CLOUDWATCH_RETENTION_DAYS = (
    365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)
"""CloudWatch Logs retention values of at least 12 months (12.4.1)."""

_ACCOUNT = re.compile(r"^\d{12}$")
_AZ = re.compile(r"^(ap-northeast-[13])[a-d]$")
_PREFIX = re.compile(r"^[a-z][a-z0-9-]{1,28}[a-z0-9]$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_ACM_ARN = re.compile(
    r"^arn:aws:acm:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):certificate/[0-9a-f-]{36}$"
)
_TAG_KEY = re.compile(r"^[A-Za-z0-9 _.:/=+\-@]{1,128}$")


def _meta(*, allowed: str, clause: str | None = None, description: str = "") -> dict[str, Any]:
    extra: dict[str, Any] = {"allowed": allowed}
    if clause:
        extra["clause"] = clause
    return {"description": description, "json_schema_extra": extra}


class EnvironmentSettings(BaseModel):
    """One deployment environment (``-c env=NAME``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    description: Annotated[str, Field(**_meta(allowed="free text"))] = ""
    account: Annotated[
        str,
        Field(**_meta(allowed="a 12-digit AWS account ID, as a string",
                      description="Account the stacks deploy to.")),
    ]
    region: Annotated[
        str,
        Field(**_meta(allowed=" or ".join(JAPAN_REGIONS), clause="6.1.3",
                      description="Region of every stack; data stays in Japan.")),
    ]
    availability_zones: Annotated[
        list[str],
        Field(**_meta(
            allowed="2 to 3 distinct zones of the environment's region, e.g. ap-northeast-1a",
            clause="6.1.3",
            description="Explicit zones keep synthesis deterministic and offline.",
        )),
    ]
    name_prefix: Annotated[
        str,
        Field(**_meta(allowed="3-30 characters: lowercase letters, digits and hyphens, "
                              "starting with a letter",
                      description="Prefix of stack names and resource aliases.")),
    ]
    log_retention_days: Annotated[
        int,
        Field(**_meta(allowed=", ".join(str(d) for d in CLOUDWATCH_RETENTION_DAYS),
                      clause="12.4.1",
                      description="Retention of every log group: at least 12 months.")),
    ] = 365
    security_contact_emails: Annotated[
        list[str],
        Field(**_meta(allowed="1 to 10 e-mail addresses", clause="16.1.1",
                      description="Who is told about incidents and their signs.")),
    ]
    certificate_arn: Annotated[
        str,
        Field(**_meta(
            allowed="an ACM certificate ARN in the environment's region and account",
            clause="10.1.1",
            description="TLS certificate of the public endpoint.",
        )),
    ]
    tags: Annotated[
        dict[str, str],
        Field(**_meta(allowed="a table of tag keys (1-128 characters) to string values; "
                              "DataClassification is set by the constructs")),
    ] = Field(default_factory=dict)

    @field_validator("account")
    @classmethod
    def _account(cls, value: str) -> str:
        if not _ACCOUNT.match(value):
            raise ValueError("not a 12-digit account ID")
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        if value not in JAPAN_REGIONS:
            raise ValueError("region outside Japan")
        return value

    @field_validator("availability_zones")
    @classmethod
    def _zones(cls, value: list[str]) -> list[str]:
        if not 2 <= len(value) <= 3 or len(set(value)) != len(value):
            raise ValueError("need 2 to 3 distinct zones")
        for zone in value:
            if not _AZ.match(zone):
                raise ValueError(f"{zone!r} is not a zone of a Japanese region")
        return value

    @field_validator("name_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if not _PREFIX.match(value):
            raise ValueError("invalid prefix")
        return value

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value not in CLOUDWATCH_RETENTION_DAYS:
            raise ValueError("retention under 12 months or not a CloudWatch value")
        return value

    @field_validator("security_contact_emails")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        if not 1 <= len(value) <= 10:
            raise ValueError("need 1 to 10 addresses")
        for address in value:
            if not _EMAIL.match(address):
                raise ValueError(f"{address!r} is not an e-mail address")
        return value

    @field_validator("certificate_arn")
    @classmethod
    def _certificate(cls, value: str) -> str:
        if not _ACM_ARN.match(value):
            raise ValueError("not an ACM certificate ARN")
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if not _TAG_KEY.match(key) or key.startswith("aws:"):
                raise ValueError(f"invalid tag key {key!r}")
            if key == "DataClassification":
                raise ValueError("DataClassification is set per resource by the constructs")
        return value

    @model_validator(mode="after")
    def _cross_field(self) -> "EnvironmentSettings":
        for zone in self.availability_zones:
            if not zone.startswith(self.region):
                raise CrossFieldError(
                    "availability_zones", self.availability_zones,
                    f"zone {zone} is not in region {self.region}",
                )
        match = _ACM_ARN.match(self.certificate_arn)
        if match and (match["region"], match["account"]) != (self.region, self.account):
            raise CrossFieldError(
                "certificate_arn", self.certificate_arn,
                f"certificate must be in {self.region} of account {self.account}",
            )
        return self


class CrossFieldError(ValueError):
    """A rule between fields, reported against the field that has to change."""

    def __init__(self, field: str, value: Any, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.value = value
        self.reason = reason
