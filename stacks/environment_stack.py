from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from config import EnvironmentSettings


class EnvironmentStack(cdk.Stack):
    """A stack pinned to its environment's account, region and zones, tagged from configuration.

    Explicit zones keep synthesis deterministic and offline: CDK never looks them up. ``region``
    is for what AWS requires elsewhere (the CloudFront edge in us-east-1); such a stack has no zones.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: EnvironmentSettings,
        name: str,
        description: str,
        region: str | None = None,
        **stack_props: Any,
    ) -> None:
        region = region or settings.region
        self._zones = list(settings.availability_zones) if region == settings.region else []
        super().__init__(
            scope,
            construct_id,
            env=cdk.Environment(account=settings.account, region=region),
            stack_name=f"{settings.name_prefix}-{name}",
            description=description,
            termination_protection=True,
            **stack_props,
        )
        for key, value in settings.tags.items():
            cdk.Tags.of(self).add(key, value)

    @property
    def availability_zones(self) -> list[str]:
        return self._zones
