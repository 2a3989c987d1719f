"""Typed settings of one deployment environment.

Every field that protects a whitepaper promise names its clause in ``clause`` so that a
validation error says what it protects. ``allowed`` is the human description of the values
accepted, used verbatim in error messages.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal

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
_HOSTNAME = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
EDGE_REGION = "us-east-1"
"""Where AWS requires CloudFront's certificate and web ACL to live: the one documented exception to 6.1.3."""
SERVICE_VPC_SUBNET_MASKS = (("Public", 24), ("Application", 22), ("Data", 24))
MANAGEMENT_VPC_SUBNET_MASKS = (("Operations", 24),)
"""Subnet tiers of each VPC and their prefix lengths, one subnet per tier per availability zone."""


def addresses_needed(masks: tuple[tuple[str, int], ...], zones: int) -> int:
    """Addresses a VPC needs for ``masks`` in ``zones`` zones, allocated as CDK does: tier after tier,
    each subnet aligned to its own size."""
    cursor = 0
    for _, mask in masks:
        size = 2 ** (32 - mask)
        for _ in range(zones):
            cursor = -(-cursor // size) * size + size
    return cursor


_TAG_KEY = re.compile(r"^[A-Za-z0-9 _.:/=+\-@]{1,128}$")
_INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\d[a-z0-9-]*\.(nano|micro|small|medium|large|metal|\d{0,2}xlarge)$")
_PERMISSION_SET = re.compile(r"^[\w+=,.@-]{1,32}$")
_CHECK_ID = re.compile(r"^[A-Z][A-Za-z0-9]{2,63}$")
_CONSTRUCT_PATH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)+$")


def _meta(*, allowed: str, clause: str | None = None, description: str = "") -> dict[str, Any]:
    extra: dict[str, Any] = {"allowed": allowed}
    if clause:
        extra["clause"] = clause
    return {"description": description, "json_schema_extra": extra}


def check_account(value: str) -> str:
    if not _ACCOUNT.match(value):
        raise ValueError("not a 12-digit account ID")
    return value


def check_japan_region(value: str) -> str:
    if value not in JAPAN_REGIONS:
        raise ValueError("region outside Japan")
    return value


def check_prefix(value: str) -> str:
    if not _PREFIX.match(value):
        raise ValueError("invalid prefix")
    return value


def check_emails(value: list[str]) -> list[str]:
    if not 1 <= len(value) <= 10:
        raise ValueError("need 1 to 10 addresses")
    for address in value:
        if not _EMAIL.match(address):
            raise ValueError(f"{address!r} is not an e-mail address")
    return value


def check_tag_keys(value: dict[str, str]) -> dict[str, str]:
    for key in value:
        if not _TAG_KEY.match(key) or key.startswith("aws:"):
            raise ValueError(f"invalid tag key {key!r}")
    return value


def is_real_reason(reason: str) -> bool:
    """At least one full sentence: 25 characters or more, and four words or more (a Japanese
    sentence, written without spaces, counts by its characters alone)."""
    text = reason.strip()
    if len(text) < 25:
        return False
    if any("\u3040" <= ch <= "\u9fff" for ch in text):
        return True
    return len(text.split()) >= 4


class Justified(BaseModel):
    """An accepted exception: whatever it names, with a reason of at least one full sentence."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    reason: str

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        if not is_real_reason(value):
            raise ValueError("reason must be at least one full sentence")
        return value


class NetworkLink(Justified):
    """An approved link toward another network (peering, VPN, transit gateway...), with its reason."""

    path: str
    """Construct path of the CloudFormation resource of the link, e.g. Network/ServiceVpc/ToPartner."""

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not _CONSTRUCT_PATH.match(value):
            raise ValueError(f"path {value!r} is not a construct path such as Stack/Construct/Resource")
        return value


class AuditAcknowledgement(Justified):
    """A live-audit failure accepted on one resource (or a pattern of them), with its reason."""

    check: str
    """Id of the audit check, e.g. S3DefaultEncryptionKms."""
    resource: str
    """ARN or ID as the audit reports it; ``*`` matches any run of characters."""

    @field_validator("check")
    @classmethod
    def _check(cls, value: str) -> str:
        if not _CHECK_ID.match(value):
            raise ValueError(f"check {value!r} is not an audit check id such as S3DefaultEncryptionKms")
        return value

    @field_validator("resource")
    @classmethod
    def _resource(cls, value: str) -> str:
        if not value.strip("*"):
            raise ValueError("resource must name something: an ARN or ID, with * for any run of characters")
        return value


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
    domain_name: Annotated[
        str,
        Field(**_meta(allowed="a DNS name such as learn.example.com", clause="10.1.1",
                      description="The public name users reach through CloudFront.")),
    ] = "learn.example.com"
    origin_domain_name: Annotated[
        str,
        Field(**_meta(allowed="a DNS name covered by certificate_arn that resolves to the load balancer",
                      clause="10.1.1", description="The name CloudFront uses to reach the load balancer over TLS.")),
    ] = "origin.learn.example.com"
    edge_certificate_arn: Annotated[
        str,
        Field(**_meta(allowed=f"an ACM certificate ARN in {EDGE_REGION} of the environment's account, for domain_name",
                      clause="10.1.1", description="CloudFront only uses certificates from us-east-1.")),
    ]
    edge_allowed_countries: Annotated[
        list[str],
        Field(**_meta(allowed="ISO 3166 alpha-2 country codes such as JP; empty allows every country",
                      clause="CLD.9.5.2", description="Countries CloudFront serves.")),
    ] = Field(default_factory=lambda: ["JP"])
    service_vpc_cidr: Annotated[
        str,
        Field(**_meta(allowed="a private IPv4 CIDR (RFC 1918) from /16 to /22, large enough for its tiers "
                              "(/20 for 2 zones, /19 for 3)", clause="13.1.3",
                      description="The service VPC: load balancer, application and data tiers.")),
    ] = "10.10.0.0/16"
    management_vpc_cidr: Annotated[
        str,
        Field(**_meta(allowed="a private IPv4 CIDR (RFC 1918) from /16 to /22, not overlapping the service VPC",
                      clause="13.1.3", description="The management VPC for operations.")),
    ] = "10.20.0.0/16"
    nat_gateways: Annotated[
        int,
        Field(**_meta(allowed="1 to the number of availability_zones",
                      description="NAT gateways of the service VPC (one per zone for production).")),
    ] = 1
    application_port: Annotated[
        int,
        Field(**_meta(allowed="1024 to 65535", clause="CLD.9.5.2",
                      description="The only port application servers accept, from the load balancer.")),
    ] = 8080
    database_port: Annotated[
        int,
        Field(**_meta(allowed="1024 to 65535", clause="13.1.3",
                      description="The only port the data tier accepts, from the application tier.")),
    ] = 5432
    instance_type: Annotated[
        str,
        Field(**_meta(allowed="an EC2 instance type such as t3.small or m7g.large")),
    ] = "t3.small"
    app_min_capacity: Annotated[
        int,
        Field(**_meta(allowed="1 to 20", clause="12.1.3", description="Fewest application servers.")),
    ] = 2
    app_max_capacity: Annotated[
        int,
        Field(**_meta(allowed="app_min_capacity to 50", clause="12.1.3", description="Most application servers.")),
    ] = 4
    waf_rate_limit: Annotated[
        int,
        Field(**_meta(allowed="100 to 2000000 requests per 5 minutes per IP address", clause="CLD.9.5.2",
                      description="Requests from one address above which WAF blocks it.")),
    ] = 2000
    backup_vault_lock_mode: Annotated[
        Literal["governance", "compliance"],
        Field(**_meta(allowed="governance or compliance", clause="12.3.1",
                      description="governance: users with permission may remove the vault lock (non-production); "
                                  "compliance: after a 3-day grace period nobody can, not even the root user.")),
    ] = "governance"
    backup_copy_region: Annotated[
        str | None,
        Field(**_meta(allowed="the other Japanese region (ap-northeast-3 or ap-northeast-1), or absent for no copy",
                      clause="6.1.3", description="Where a copy of each daily backup is kept; never outside Japan.")),
    ] = None
    account_security: Annotated[
        Literal["owned", "external"],
        Field(**_meta(allowed="owned or external", clause="CLD.12.4.5",
                      description="owned: this environment runs the account's GuardDuty, Security Hub, AWS Config and "
                                  "Inspector (once per account and region); external: another environment or the "
                                  "organisation runs them, and the report says so.")),
    ] = "owned"
    operator_access: Annotated[
        Literal["identity-center", "identity-account"],
        Field(**_meta(allowed="identity-center or identity-account", clause="9.4.4",
                      description="How operators reach the operator role: from an IAM Identity Center permission "
                                  "set of this account (MFA enforced by Identity Center), or as IAM users "
                                  "with MFA in a separate identity account.")),
    ] = "identity-center"
    operator_permission_set: Annotated[
        str,
        Field(**_meta(allowed="an IAM Identity Center permission set name (1-32 of letters, digits, _+=,.@-)",
                      clause="9.4.4", description="Permission set whose sessions may assume the operator role.")),
    ] = "TomoLinksOperators"
    operator_identity_account: Annotated[
        str | None,
        Field(**_meta(allowed="a 12-digit AWS account ID, required when operator_access = identity-account",
                      clause="9.4.4", description="Account whose MFA-authenticated IAM users may assume the role.")),
    ] = None
    break_glass_permission_set: Annotated[
        str,
        Field(**_meta(allowed="an IAM Identity Center permission set name (1-32 of letters, digits, _+=,.@-), "
                              "different from operator_permission_set",
                      clause="9.2.3", description="Permission set whose sessions may assume the break-glass "
                                                  "administrator role (identity-center access only).")),
    ] = "TomoLinksBreakGlass"
    admin_password_length: Annotated[
        int,
        Field(**_meta(allowed="16 to 99, and at least user_password_length", clause="9.2.4",
                      description="Shortest password of the customers' administrators.")),
    ] = 16
    user_password_length: Annotated[
        int,
        Field(**_meta(allowed="10 to 99", clause="9.2.4",
                      description="Shortest password of teachers and students.")),
    ] = 10
    temporary_password_days: Annotated[
        int,
        Field(**_meta(allowed="1 to 3", clause="9.2.4",
                      description="How long a temporary password handed to a new user stays valid.")),
    ] = 1
    network_links: Annotated[
        list[NetworkLink],
        Field(**_meta(allowed="a list of { path = construct path of the link, reason = one full sentence }",
                      clause="13.1.3",
                      description="Approved links toward other networks; every other link fails the gate.")),
    ] = Field(default_factory=list)
    audit_acknowledgements: Annotated[
        list[AuditAcknowledgement],
        Field(**_meta(allowed="a list of { check = audit check id, resource = ARN or ID (* matches any run), "
                              "reason = one full sentence }",
                      description="Live-audit failures accepted with their reason (python -m compliance audit); "
                                  "an unverified result cannot be accepted.")),
    ] = Field(default_factory=list)
    tags: Annotated[
        dict[str, str],
        Field(**_meta(allowed="a table of tag keys (1-128 characters) to string values; "
                              "DataClassification is set by the constructs")),
    ] = Field(default_factory=dict)

    @field_validator("account")
    @classmethod
    def _account(cls, value: str) -> str:
        return check_account(value)

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        return check_japan_region(value)

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
        return check_prefix(value)

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value not in CLOUDWATCH_RETENTION_DAYS:
            raise ValueError("retention under 12 months or not a CloudWatch value")
        return value

    @field_validator("security_contact_emails")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        return check_emails(value)

    @field_validator("certificate_arn")
    @classmethod
    def _certificate(cls, value: str) -> str:
        if not _ACM_ARN.match(value):
            raise ValueError("not an ACM certificate ARN")
        return value

    @field_validator("domain_name", "origin_domain_name")
    @classmethod
    def _hostname(cls, value: str) -> str:
        if not _HOSTNAME.match(value):
            raise ValueError("not a DNS name")
        return value

    @field_validator("edge_certificate_arn")
    @classmethod
    def _edge_certificate(cls, value: str) -> str:
        match = _ACM_ARN.match(value)
        if not match:
            raise ValueError("not an ACM certificate ARN")
        if match["region"] != EDGE_REGION:
            raise ValueError(f"CloudFront only uses certificates in {EDGE_REGION}")
        return value

    @field_validator("edge_allowed_countries")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        for code in value:
            if not _COUNTRY.match(code):
                raise ValueError(f"{code!r} is not an ISO 3166 alpha-2 code")
        return value

    @field_validator("service_vpc_cidr", "management_vpc_cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        try:
            network = ipaddress.IPv4Network(value, strict=True)
        except ValueError as error:
            raise ValueError(f"not an IPv4 CIDR ({error})") from None
        if not network.is_private or not 16 <= network.prefixlen <= 22:
            raise ValueError("not a private range from /16 to /22")
        return value

    @field_validator("nat_gateways")
    @classmethod
    def _nat(cls, value: int) -> int:
        if not 1 <= value <= 3:
            raise ValueError("out of range")
        return value

    @field_validator("application_port", "database_port")
    @classmethod
    def _port(cls, value: int) -> int:
        if not 1024 <= value <= 65535:
            raise ValueError("out of range")
        return value

    @field_validator("instance_type")
    @classmethod
    def _instance_type(cls, value: str) -> str:
        if not _INSTANCE_TYPE.match(value):
            raise ValueError("not an EC2 instance type")
        return value

    @field_validator("app_min_capacity")
    @classmethod
    def _min_capacity(cls, value: int) -> int:
        if not 1 <= value <= 20:
            raise ValueError("out of range")
        return value

    @field_validator("app_max_capacity")
    @classmethod
    def _max_capacity(cls, value: int) -> int:
        if not 1 <= value <= 50:
            raise ValueError("out of range")
        return value

    @field_validator("waf_rate_limit")
    @classmethod
    def _rate(cls, value: int) -> int:
        if not 100 <= value <= 2_000_000:
            raise ValueError("out of range")
        return value

    @field_validator("backup_copy_region")
    @classmethod
    def _copy_region(cls, value: str | None) -> str | None:
        if value is not None and value not in JAPAN_REGIONS:
            raise ValueError("region outside Japan")
        return value

    @field_validator("admin_password_length")
    @classmethod
    def _admin_password(cls, value: int) -> int:
        if not 16 <= value <= 99:
            raise ValueError("out of range")
        return value

    @field_validator("user_password_length")
    @classmethod
    def _user_password(cls, value: int) -> int:
        if not 10 <= value <= 99:
            raise ValueError("out of range")
        return value

    @field_validator("temporary_password_days")
    @classmethod
    def _temporary_password(cls, value: int) -> int:
        if not 1 <= value <= 3:
            raise ValueError("out of range")
        return value

    @field_validator("operator_permission_set", "break_glass_permission_set")
    @classmethod
    def _permission_set(cls, value: str) -> str:
        if not _PERMISSION_SET.match(value):
            raise ValueError("not a permission set name")
        return value

    @field_validator("operator_identity_account")
    @classmethod
    def _identity_account(cls, value: str | None) -> str | None:
        if value is not None and not _ACCOUNT.match(value):
            raise ValueError("not a 12-digit account ID")
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: dict[str, str]) -> dict[str, str]:
        check_tag_keys(value)
        for key in value:
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
        service = ipaddress.IPv4Network(self.service_vpc_cidr)
        management = ipaddress.IPv4Network(self.management_vpc_cidr)
        if service.overlaps(management):
            raise CrossFieldError(
                "management_vpc_cidr", self.management_vpc_cidr,
                f"overlaps service_vpc_cidr {self.service_vpc_cidr}: networks by use must be separate",
            )
        for field, network, masks in (("service_vpc_cidr", service, SERVICE_VPC_SUBNET_MASKS),
                                      ("management_vpc_cidr", management, MANAGEMENT_VPC_SUBNET_MASKS)):
            needed = addresses_needed(masks, len(self.availability_zones))
            if needed > network.num_addresses:
                smallest = 32 - (needed - 1).bit_length()
                tiers = ", ".join(f"{name} /{mask}" for name, mask in masks)
                raise CrossFieldError(
                    field, str(network),
                    f"too small for {tiers} in {len(self.availability_zones)} zones: use /{smallest} or larger",
                )
        if self.nat_gateways > len(self.availability_zones):
            raise CrossFieldError("nat_gateways", self.nat_gateways,
                                  f"more than the {len(self.availability_zones)} availability_zones")
        if self.application_port == self.database_port:
            raise CrossFieldError("database_port", self.database_port, "same as application_port")
        if self.app_max_capacity < self.app_min_capacity:
            raise CrossFieldError("app_max_capacity", self.app_max_capacity,
                                  f"below app_min_capacity {self.app_min_capacity}")
        edge = _ACM_ARN.match(self.edge_certificate_arn)
        if edge and edge["account"] != self.account:
            raise CrossFieldError("edge_certificate_arn", self.edge_certificate_arn,
                                  f"certificate must be in account {self.account}")
        if self.domain_name == self.origin_domain_name:
            raise CrossFieldError("origin_domain_name", self.origin_domain_name,
                                  "must differ from domain_name, which CloudFront answers")
        if self.backup_copy_region == self.region:
            raise CrossFieldError("backup_copy_region", self.backup_copy_region,
                                  "same as region: a copy must be in the other Japanese region")
        if (self.operator_access == "identity-account") != (self.operator_identity_account is not None):
            raise CrossFieldError(
                "operator_identity_account", self.operator_identity_account,
                f"required when operator_access = identity-account, and only then (it is {self.operator_access})",
            )
        if self.admin_password_length < self.user_password_length:
            raise CrossFieldError("admin_password_length", self.admin_password_length,
                                  f"shorter than user_password_length {self.user_password_length}: administrators "
                                  "need the stronger password")
        if self.break_glass_permission_set == self.operator_permission_set:
            raise CrossFieldError("break_glass_permission_set", self.break_glass_permission_set,
                                  "same as operator_permission_set: everyday operators must not hold break-glass access")
        paths = [link.path for link in self.network_links]
        if len(set(paths)) != len(paths):
            raise CrossFieldError("network_links", paths, "a link is listed twice")
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
