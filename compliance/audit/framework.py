"""What an audit check is, what it returns, and the account it reads.

A check is a function of an ``Account`` returning ``Finding``s, one per resource it judged. It never
passes what it could not read: a denied, unsupported, disabled, throttled or unreachable call gives ``unverified``
with the reason. Checks live one per module in ``compliance.audit.checks`` with a module-level
``CHECK`` (module name = snake_case of the check id)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Iterator

import boto3
from botocore.config import Config
from botocore.exceptions import (BotoCoreError, ClientError, CredentialRetrievalError, NoCredentialsError,
                                 TokenRetrievalError)
from botocore.parsers import ResponseParserError

from config import EnvironmentSettings


class Result(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    UNVERIFIED = "unverified"


@dataclass(frozen=True)
class Finding:
    """One judged resource: ``evidence`` names the API field and value that decided it."""

    result: Result
    resource: str
    """ARN or ID of the resource (or ``account``/``region`` for account-wide settings)."""
    resource_type: str
    """CloudFormation type name, e.g. AWS::S3::Bucket, or AWS::Account for account-wide settings."""
    region: str
    evidence: str


def passed(resource: str, resource_type: str, region: str, evidence: str) -> Finding:
    return Finding(Result.PASS, resource, resource_type, region, evidence)


def failed(resource: str, resource_type: str, region: str, evidence: str) -> Finding:
    return Finding(Result.FAIL, resource, resource_type, region, evidence)


def unverified(resource: str, resource_type: str, region: str, evidence: str) -> Finding:
    return Finding(Result.UNVERIFIED, resource, resource_type, region, evidence)


@dataclass(frozen=True)
class AuditCheck:
    id: str
    """PascalCase; the module is its snake_case."""
    clauses: tuple[str, ...]
    title: str
    """What a pass means, one sentence."""
    run: Callable[["Account"], list[Finding]]
    synth_rule: str | None = None
    """The ISO27017 rule that checks the same single property in the templates: its acknowledgement of a
    resource (found through the resource's aws:cloudformation tags) also accepts this check's failure there."""


DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
          "UnauthorizedAccess", "Forbidden", "AuthFailure"}
THROTTLED = {"Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded",
             "TooManyRequestsException", "SlowDown", "RequestThrottled", "RequestThrottledException"}
NOT_ENABLED = {"InvalidAccessException", "SubscriptionRequiredException", "OptInRequired", "NotSignedUp"}
"""Security Hub not enabled, a service not subscribed or not opted in: the check cannot see."""
UNSUPPORTED = {"UnsupportedOperation", "InvalidAction", "NotImplemented", "UnknownOperationException",
               "UnsupportedOperationException", "404"}
"""404 stands for an operation the endpoint does not route at all (its answer had no error code)."""
CREDENTIALS = {"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException"}
"""Expired or unknown credentials: every other call would fail the same way, so the audit stops."""
NO_CREDENTIALS = (NoCredentialsError, TokenRetrievalError, CredentialRetrievalError)


class Unverifiable(Exception):
    """A call whose answer the check cannot have; the message is the reason, naming the API; ``code`` is the
    AWS error code, if any."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class CredentialsError(Exception):
    """No usable credentials (missing, expired, refused): a usage error (exit 2), not a finding. An unreachable
    endpoint is Unverifiable: it concerns one region or service."""


def reason(error: Exception, api: str) -> str:
    """Why ``api`` gave no answer, in words an auditor can act on."""
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        message = " ".join(str(error.response.get("Error", {}).get("Message", "")).split())
        message = message if len(message) <= 200 else message[:199] + "…"
        if code in DENIED:
            why = "access denied"
        elif code in THROTTLED:
            why = "throttled beyond the standard retry mode"
        elif code in NOT_ENABLED:
            why = "the service is not enabled or subscribed in this account and region"
        elif code in UNSUPPORTED:
            why = "the API is not supported here"
        elif code in CREDENTIALS:
            why = "the credentials are expired or unknown"
        else:
            why = "error"
        return f"{api}: {why} ({code}{': ' + message if message else ''})"
    if isinstance(error, ResponseParserError):
        return f"{api}: the endpoint's answer could not be read (the API may not be supported there)"
    return f"{api}: {type(error).__name__}: {error}"


def call(client: Any, operation: str, *, absent: tuple[str, ...] = (), **kwargs: Any) -> Any:
    """``client.<operation>(**kwargs)``; None when the error code is one of ``absent`` (the setting does not
    exist, which the check judges); Unverifiable for anything else."""
    api = f"{client.meta.service_model.service_name}:{_api_name(client, operation)}"
    try:
        return getattr(client, operation)(**kwargs)
    except ClientError as error:
        if _code(error) in absent and _code(error) not in CREDENTIALS:
            return None
        raise _unanswered(error, api) from error
    except (BotoCoreError, ResponseParserError) as error:
        raise _unanswered(error, api) from error


def pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
    """Every item under ``key`` (dotted for nested lists, e.g. ``DistributionList.Items``) across all pages of
    ``operation`` (botocore's paginator)."""
    api = f"{client.meta.service_model.service_name}:{_api_name(client, operation)}"
    try:
        for page in client.get_paginator(operation).paginate(**kwargs):
            for part in key.split("."):
                page = page.get(part) or {}
            yield from page or []
    except (BotoCoreError, ClientError, ResponseParserError) as error:
        raise _unanswered(error, api) from error


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _unanswered(error: Exception, api: str) -> Exception:
    """CredentialsError for credentials that no call can use; Unverifiable (with the reason) for the rest,
    including an unreachable endpoint."""
    if isinstance(error, NO_CREDENTIALS) or isinstance(error, ClientError) and _code(error) in CREDENTIALS:
        return CredentialsError(reason(error, api) if isinstance(error, ClientError) else f"{api}: {error}")
    return Unverifiable(reason(error, api), _code(error) if isinstance(error, ClientError) else "")


def _api_name(client: Any, operation: str) -> str:
    return client.meta.method_to_api_mapping.get(operation, operation)


RETRIES = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=10, read_timeout=30)


@dataclass
class Account:
    """The account and region under audit. Clients are created once per (service, region), under a lock:
    boto3 sessions are not thread-safe, clients are."""

    session: boto3.session.Session
    region: str
    settings: EnvironmentSettings
    endpoint_url: str | None = None
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    account_id: str = ""

    def client(self, service: str, region: str | None = None) -> Any:
        where = region or self.region
        with self._lock:
            if (service, where) not in self._clients:
                self._clients[(service, where)] = self.session.client(
                    service, region_name=where, endpoint_url=self.endpoint_url, config=RETRIES)
            return self._clients[(service, where)]
