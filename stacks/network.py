from __future__ import annotations

from typing import Any

from constructs import Construct

from config import EnvironmentSettings
from constructs_lib import DataClassKey, ManagementVpc, ServiceVpc
from constructs_lib.custom_resources import keep_provider_logs, skip_provider_function_checks
from stacks.environment_stack import EnvironmentStack


class NetworkStack(EnvironmentStack):
    """Networks separated by use (13.1.3): the service VPC and the management VPC."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: EnvironmentSettings,
                 log_key: DataClassKey, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, settings=settings, name="network",
                         description="tomoLinks ISO/IEC 27017 networks: service and management VPCs", **kwargs)
        zones = settings.availability_zones
        self.service_vpc = ServiceVpc(
            self, "ServiceVpc", cidr=settings.service_vpc_cidr, zones=zones, nat_gateways=settings.nat_gateways,
            database_port=settings.database_port, flow_log_key=log_key,
            log_retention_days=settings.log_retention_days,
        )
        self.management_vpc = ManagementVpc(
            self, "ManagementVpc", cidr=settings.management_vpc_cidr, zones=zones, flow_log_key=log_key,
            log_retention_days=settings.log_retention_days,
        )
        keep_provider_logs(self, "Custom::VpcRestrictDefaultSGCustomResourceProvider", key=log_key,
                           retention_days=settings.log_retention_days)
        skip_provider_function_checks(self, "Custom::VpcRestrictDefaultSGCustomResourceProvider",
                                      "removes every rule of the VPCs' default security groups")
