#!/usr/bin/env python3
"""CDK app: load the environment's configuration, build the stacks, register the nag packs.

    npx cdk synth [-c env=NAME] [-c config=PATH]
"""

from __future__ import annotations

import os
import sys
from typing import Callable

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk  # noqa: E402
from constructs import Construct  # noqa: E402
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks  # noqa: E402

from config import DEFAULT_ENVIRONMENT, ConfigurationError, EnvironmentSettings, load_environment  # noqa: E402
import nag_rules  # noqa: E402
from stacks import (  # noqa: E402
    ApplicationStack,
    BackupCopyStack,
    DataStack,
    EdgeStack,
    FoundationStack,
    IdentityStack,
    NetworkStack,
    OperationsStack,
    SecurityStack,
)
from stacks.approvals import acknowledge_external_account_security, approve_network_links  # noqa: E402


def build(app: cdk.App, settings: EnvironmentSettings) -> None:
    build_stacks(app, settings)
    approve_network_links(app, settings.network_links)
    register_packs(app)


def build_stacks(scope: Construct, settings: EnvironmentSettings) -> None:
    foundation = FoundationStack(scope, "Foundation", settings=settings)
    security = SecurityStack(scope, "Security", settings=settings, keys=foundation.keys,
                             access_logs=foundation.access_logs) if settings.account_security == "owned" else None
    network = NetworkStack(scope, "Network", settings=settings, log_key=foundation.keys.operations)
    application = ApplicationStack(scope, "Application", settings=settings, vpc=network.service_vpc,
                                   keys=foundation.keys, access_logs=foundation.access_logs,
                                   notifications=foundation.notifications,
                                   auto_scaling_role=foundation.auto_scaling_role)
    data = DataStack(scope, "Data", settings=settings, vpc=network.service_vpc,
              database_security_group=application.database_security_group, keys=foundation.keys,
              access_logs=foundation.access_logs, application_role=application.servers.role)
    if security is not None:
        data.add_stack_dependency(security, "the backup audit framework needs the AWS Config recorder")
    else:
        acknowledge_external_account_security(data, application.servers.group)
    OperationsStack(scope, "Operations", settings=settings, keys=foundation.keys, access_logs=foundation.access_logs,
                    notifications=foundation.notifications, auto_scaling_group=application.servers.group,
                    target_group=application.target_group, load_balancer=application.entry.load_balancer,
                    web_acl_name=application.firewall.web_acl.name, database=data.database.cluster)
    if settings.backup_copy_region is not None:
        data.add_stack_dependency(BackupCopyStack(scope, "BackupCopy", settings=settings),
                                  "backups are copied to its vault")
    IdentityStack(scope, "Identity", settings=settings)
    edge = EdgeStack(scope, "Edge", settings=settings)
    edge.add_stack_dependency(foundation, "the edge logs to the bucket in Japan")


def register_packs(app: cdk.App) -> None:
    nag_rules.register_packs(app, AwsSolutionsChecks(app), NIST80053R5Checks(app), HIPAASecurityChecks(app))


def main(compose: Callable[[cdk.App, EnvironmentSettings], None] = build) -> int:
    app = cdk.App()
    try:
        settings = load_environment(
            app.node.try_get_context("env") or DEFAULT_ENVIRONMENT,
            app.node.try_get_context("config"),
        )
    except ConfigurationError as error:
        print(error, file=sys.stderr)
        return 2
    try:
        compose(app, settings)
    except ConfigurationError as error:
        print(error, file=sys.stderr)
        return 2
    try:
        app.synth()
    except RuntimeError as error:
        if "ValidationFailed" in str(error):
            return 1  # CDK has printed the findings and written validation-report.json
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
