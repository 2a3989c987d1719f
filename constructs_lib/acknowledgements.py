"""Acknowledging a finding: on the narrowest construct, one rule id at a time, with its reason."""

from __future__ import annotations

import aws_cdk as cdk
from constructs import IConstruct

from config.settings import is_real_reason


def acknowledge(construct: IConstruct, reason: str, *rule_ids: str) -> None:
    """Acknowledge each of ``rule_ids`` on the CloudFormation resource behind ``construct``."""
    if not rule_ids:
        raise ValueError("name at least one rule id to acknowledge")
    if not is_real_reason(reason):
        raise ValueError(f"acknowledgement reason must be at least a full sentence: {reason!r}")
    target = construct.node.default_child or construct
    cdk.Validations.of(target).acknowledge(
        *(cdk.Acknowledgment(id=rule_id, reason=reason) for rule_id in rule_ids)
    )
