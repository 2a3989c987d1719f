from __future__ import annotations

from typing import Any

from aws_cdk import aws_s3 as s3
from constructs import Construct

from config import EnvironmentSettings
from constructs_lib import ClassifiedBucket, DataClassKeys, acknowledge
from constructs_lib.buckets import NO_REPLICATION_REASON, REPLICATION_RULES, deny_object_deletion
from constructs_lib.posture import SecurityPosture, ThreatDetection
from stacks.environment_stack import EnvironmentStack


class SecurityStack(EnvironmentStack):
    """What watches the account (CLD.12.4.5, 12.6.1): GuardDuty, Security Hub with FSBP and CIS v5, the AWS
    Config recorder and Amazon Inspector. Each of these exists once per account and region, so only the
    environment with ``account_security = "owned"`` deploys this stack."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: EnvironmentSettings, keys: DataClassKeys,
                 access_logs: s3.IBucket, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, settings=settings, name="security",
                         description="tomoLinks ISO/IEC 27017 security monitoring: GuardDuty, Security Hub, Config, "
                                     "Inspector", **kwargs)
        self.threats = ThreatDetection(self, "Threats")
        self.config_history = ClassifiedBucket(self, "ConfigHistory", encryption_key=keys.operations,
                                               access_logs=access_logs)
        acknowledge(self.config_history, NO_REPLICATION_REASON, *REPLICATION_RULES)
        deny_object_deletion(self.config_history)
        self.posture = SecurityPosture(self, "Posture", delivery_bucket=self.config_history,
                                       delivery_key=keys.operations)
