from __future__ import annotations

from typing import Any

from constructs import Construct

from config import EnvironmentSettings
from constructs_lib.iam import BreakGlassRole
from constructs_lib.identity import UserPools
from stacks.environment_stack import EnvironmentStack


class IdentityStack(EnvironmentStack):
    """Who may sign in (9.2.3, 9.2.4, 9.4.1): the customers' administrators and ordinary users in separate
    user pools, and the break-glass administrator role of the operators, which no boundary may hold back."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: EnvironmentSettings, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, settings=settings, name="identity",
                         description="tomoLinks ISO/IEC 27017 identities: user pools and break-glass access",
                         bounds_roles=False, **kwargs)
        self.user_pools = UserPools(
            self, "UserPools", name=settings.name_prefix,
            admin_password_length=settings.admin_password_length,
            user_password_length=settings.user_password_length,
            temporary_password_days=settings.temporary_password_days,
        )
        identity_center = settings.operator_access == "identity-center"
        self.break_glass = BreakGlassRole(
            self, "BreakGlass",
            permission_set=settings.break_glass_permission_set if identity_center else None,
            identity_account=None if identity_center else settings.operator_identity_account,
        )
