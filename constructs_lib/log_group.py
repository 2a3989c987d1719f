"""Log groups kept at least 12 months (12.4.1), encrypted with their data class's key (10.1.1)."""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_logs as logs
from constructs import Construct

from constructs_lib.data_classification import classify
from constructs_lib.keys import DataClassKey
from constructs_lib.stateful import KEEP

RETENTION_BY_DAYS = {
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
    1096: logs.RetentionDays.THREE_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    2192: logs.RetentionDays.SIX_YEARS,
    2557: logs.RetentionDays.SEVEN_YEARS,
    2922: logs.RetentionDays.EIGHT_YEARS,
    3288: logs.RetentionDays.NINE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}


class RetainedLogGroup(logs.LogGroup):
    """A log group kept ``retention_days`` (365 or more), KMS-encrypted and never deleted with its stack."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        encryption_key: DataClassKey,
        retention_days: int = 365,
        **log_group_props: Any,
    ) -> None:
        if retention_days not in RETENTION_BY_DAYS:
            raise ValueError(
                f"{construct_id}: retention_days={retention_days!r}; allowed: "
                f"{', '.join(map(str, RETENTION_BY_DAYS))} (clause 12.4.1: logs kept 12 months)"
            )
        log_group_props.update(
            encryption_key=encryption_key,
            retention=RETENTION_BY_DAYS[retention_days],
            removal_policy=KEEP,
        )
        super().__init__(scope, construct_id, **log_group_props)
        encryption_key.allow_cloudwatch_logs()
        classify(self, encryption_key.data_class)
