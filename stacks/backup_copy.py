from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_backup as backup
from constructs import Construct

from config import EnvironmentSettings
from constructs_lib import DataClass, DataClassKey, acknowledge, classify
from constructs_lib.backup import COMPLIANCE_GRACE_DAYS
from constructs_lib.stateful import KEEP
from stacks.environment_stack import EnvironmentStack


def copy_vault_arn(settings: EnvironmentSettings) -> str | None:
    """Fixed, so the data stack names the copy vault without a cross-region reference."""
    if settings.backup_copy_region is None:
        return None
    return (f"arn:aws:backup:{settings.backup_copy_region}:{settings.account}:backup-vault:"
            f"{settings.name_prefix}-daily-copy")


class BackupCopyStack(EnvironmentStack):
    """The vault in the other Japanese region that keeps a copy of each daily backup (12.3.1), under
    a customer data key of that region, locked like the primary vault (6.1.3: still in Japan)."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: EnvironmentSettings, **kwargs: Any) -> None:
        if settings.backup_copy_region is None:
            raise ValueError(f"{construct_id}: backup_copy_region is not set")
        super().__init__(scope, construct_id, settings=settings, name="backup-copy", region=settings.backup_copy_region,
                         description="tomoLinks ISO/IEC 27017 backup copies in the other Japanese region",
                         bounds_roles=False, **kwargs)
        self.key = DataClassKey(self, "CustomerKey", data_class=DataClass.CUSTOMER,
                                alias_prefix=settings.name_prefix)
        self.vault = backup.BackupVault(
            self, "Vault", backup_vault_name=f"{settings.name_prefix}-daily-copy", encryption_key=self.key,
            lock_configuration=backup.LockConfiguration(
                min_retention=cdk.Duration.days(7),
                changeable_for=(cdk.Duration.days(COMPLIANCE_GRACE_DAYS)
                                if settings.backup_vault_lock_mode == "compliance" else None),
            ),
            removal_policy=KEEP,
        )
        classify(self.vault, DataClass.CUSTOMER)
        acknowledge(
            self.vault,
            "No backup job runs into this vault: it only receives copies, and AWS Backup reports a failed copy as a "
            f"Copy Job State Change event in the source region {settings.region}, which the incident rule there "
            "mails to the security contacts.",
            "ISO27017-IncidentsRouted",
        )
