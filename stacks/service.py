"""The service's stacks for one environment, and the four nag packs, shared by app.py and the pipeline's stages."""

from __future__ import annotations

import sys
from typing import Callable

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks
from constructs import Construct

from config import ConfigurationError, EnvironmentSettings
import nag_rules
from stacks.application import ApplicationStack
from stacks.approvals import acknowledge_external_account_security
from stacks.backup_copy import BackupCopyStack
from stacks.data import DataStack
from stacks.edge import EdgeStack
from stacks.foundation import FoundationStack
from stacks.identity import IdentityStack
from stacks.network import NetworkStack
from stacks.operations import OperationsStack
from stacks.security import SecurityStack


def build_stacks(scope: Construct, settings: EnvironmentSettings) -> dict[str, cdk.Stack]:
    """Build the environment's stacks under ``scope``; return them by construct id."""
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
    operations = OperationsStack(
        scope, "Operations", settings=settings, keys=foundation.keys, access_logs=foundation.access_logs,
        notifications=foundation.notifications, auto_scaling_group=application.servers.group,
        target_group=application.target_group, load_balancer=application.entry.load_balancer,
        web_acl_name=application.firewall.web_acl.name, database=data.database.cluster)
    stacks: dict[str, cdk.Stack] = {"Foundation": foundation, "Network": network, "Application": application,
                                    "Data": data, "Operations": operations}
    if security is not None:
        stacks["Security"] = security
    if settings.backup_copy_region is not None:
        stacks["BackupCopy"] = BackupCopyStack(scope, "BackupCopy", settings=settings)
        data.add_stack_dependency(stacks["BackupCopy"], "backups are copied to its vault")
    stacks["Identity"] = IdentityStack(scope, "Identity", settings=settings)
    edge = EdgeStack(scope, "Edge", settings=settings)
    edge.add_stack_dependency(foundation, "the edge logs to the bucket in Japan")
    stacks["Edge"] = edge
    return stacks


def register_packs(scope: cdk.Stage) -> nag_rules.Iso27017Checks:
    """The ISO27017 pack and its three companions on ``scope`` (an app or a stage)."""
    return nag_rules.register_packs(scope, AwsSolutionsChecks(scope), NIST80053R5Checks(scope),
                                    HIPAASecurityChecks(scope))


def run_app(build: Callable[[cdk.App], object]) -> int:
    """Build a CDK app and synthesize it: 0, 1 when a pack's finding failed the synthesis (CDK has printed the
    findings and written validation-report.json), 2 on a configuration problem (one line per problem)."""
    app = cdk.App()
    try:
        build(app)
    except ConfigurationError as error:
        print(error, file=sys.stderr)
        return 2
    try:
        app.synth()
    except RuntimeError as error:
        if "ValidationFailed" in str(error):
            return 1
        raise
    return 0
