from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from config import EnvironmentSettings
from constructs_lib.iam import PermissionsBoundary, apply_permissions_boundary


class EnvironmentStack(cdk.Stack):
    """A stack pinned to its environment's account, region and zones, tagged from configuration.

    Explicit zones keep synthesis deterministic and offline: CDK never looks them up. ``region``
    is for what AWS requires elsewhere (the CloudFront edge in us-east-1); such a stack has no zones.
    Every role of the stack, the CDK's own custom resource roles included, is under the stack's
    ``permissions_boundary`` (9.2.3); a boundary cannot be shared across stacks or regions. A stack with no
    role to bound says ``bounds_roles=False`` (an unused boundary is a finding; a role added there later
    without one is another).
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
        bounds_roles: bool = True,
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
        self.permissions_boundary = PermissionsBoundary(self, "PermissionsBoundary") if bounds_roles else None
        if self.permissions_boundary is not None:
            apply_permissions_boundary(self, self.permissions_boundary)

    @property
    def availability_zones(self) -> list[str]:
        return self._zones
