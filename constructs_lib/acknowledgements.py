"""Acknowledging a finding: on the narrowest construct, one rule id at a time, with its reason and,
optionally, who owns the exception and when it must be looked at again."""

from __future__ import annotations

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
