"""Typed, validated configuration of the deployment environments."""

from config.loader import (
    DEFAULT_ENVIRONMENT,
    DEFAULT_FILE,
    ConfigurationError,
    Problem,
    environment_names,
    load_environment,
)
from config.settings import CLOUDWATCH_RETENTION_DAYS, EDGE_REGION, JAPAN_REGIONS, EnvironmentSettings

__all__ = [
    "CLOUDWATCH_RETENTION_DAYS",
    "ConfigurationError",
    "DEFAULT_ENVIRONMENT",
    "DEFAULT_FILE",
    "EDGE_REGION",
    "EnvironmentSettings",
    "JAPAN_REGIONS",
    "Problem",
    "environment_names",
    "load_environment",
]
