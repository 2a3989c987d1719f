"""Data classes of the asset register (8.1.1): every stateful resource carries one."""

from __future__ import annotations

from enum import Enum

import aws_cdk as cdk
from constructs import IConstruct

TAG_KEY = "DataClassification"
_TAG_PRIORITY = 1000
"""Above any tag a caller adds, so the classification cannot be overridden by accident."""


class DataClass(str, Enum):
    CUSTOMER = "customer"
    """Customers' information assets: learning records, teaching materials, daily records."""
    SERVICE_DERIVED = "service-derived"
    """Data the provider derives from running the service (usage, diagnostics)."""
    OPERATIONS = "operations"
    """Logs, audit trails and operational records of the provider."""


def classify(scope: IConstruct, data_class: DataClass) -> None:
    """Tag ``scope`` and everything taggable below it with its data class."""
    cdk.Tags.of(scope).add(TAG_KEY, data_class.value, priority=_TAG_PRIORITY)
