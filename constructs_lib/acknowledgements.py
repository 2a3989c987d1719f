"""Acknowledging a finding: on the narrowest construct, one rule id at a time, with its reason and,
optionally, who owns the exception and when it must be looked at again. Checkov's checks, which run on the
templates outside CDK, are skipped the same way in the resource's template metadata."""

from __future__ import annotations

import re
from datetime import date

import aws_cdk as cdk
from constructs import IConstruct

from config.settings import is_real_reason
from nag_rules.assembly import governance_suffix


def acknowledge(construct: IConstruct, reason: str, *rule_ids: str, owner: str | None = None,
                expires: date | str | None = None) -> None:
    """Acknowledge each of ``rule_ids`` on the CloudFormation resource behind ``construct``.

    ``owner`` and ``expires`` (an ISO date) travel in the reason as ``[owner: ...; expires: YYYY-MM-DD]``,
    the one field CDK records; the report reads them back and its gate fails once ``expires`` has passed.
    """
    if not rule_ids:
        raise ValueError("name at least one rule id to acknowledge")
    if not is_real_reason(reason):
        raise ValueError(f"acknowledgement reason must be at least a full sentence: {reason!r}")
    if isinstance(expires, str):
        try:
            expires = date.fromisoformat(expires)
        except ValueError:
            raise ValueError(f"acknowledgement expires={expires!r}; allowed: an ISO date such as 2027-03-31") from None
    if owner is not None and (not owner.strip() or any(c in owner for c in "[];")):
        raise ValueError(f"acknowledgement owner={owner!r}; allowed: a name without [ ] or ;")
    target = construct.node.default_child or construct
    recorded = reason + governance_suffix(owner, expires)
    cdk.Validations.of(target).acknowledge(
        *(cdk.Acknowledgment(id=rule_id, reason=recorded) for rule_id in rule_ids)
    )


CHECKOV_METADATA = "checkov"
_CHECKOV_ID = re.compile(r"CKV2?_[A-Z0-9]+_[0-9]+")


def skip_checkov(construct: IConstruct, check_id: str, reason: str) -> None:
    """Skip checkov's ``check_id`` on the CloudFormation resource behind ``construct``: appends
    ``{"id": check_id, "comment": reason}`` to its template metadata ``{"checkov": {"skip": [...]}}``,
    where checkov reads it and the report lists it."""
    if not _CHECKOV_ID.fullmatch(check_id):
        raise ValueError(f"checkov check id {check_id!r}; allowed: an id such as CKV_AWS_18 or CKV2_AWS_62")
    if not is_real_reason(reason):
        raise ValueError(f"checkov skip reason must be at least a full sentence: {reason!r}")
    target = construct.node.default_child or construct
    if not isinstance(target, cdk.CfnResource):
        raise ValueError(f"{construct.node.path}: not a CloudFormation resource, nor a construct with one as "
                         "its default child")
    metadata = dict(target.get_metadata(CHECKOV_METADATA) or {})
    skips = list(metadata.get("skip") or [])
    if any(skip.get("id") == check_id for skip in skips):
        raise ValueError(f"{target.node.path}: checkov check {check_id} is already skipped")
    metadata["skip"] = [*skips, {"id": check_id, "comment": reason}]
    target.add_metadata(CHECKOV_METADATA, metadata)
