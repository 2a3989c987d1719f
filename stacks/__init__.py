"""Stacks compose constructs from constructs_lib and wire grants; settings come from config."""

from stacks.application import ApplicationStack
from stacks.backup_copy import BackupCopyStack
from stacks.data import DataStack
from stacks.edge import EdgeStack
from stacks.environment_stack import EnvironmentStack
from stacks.foundation import FoundationStack
from stacks.identity import IdentityStack
from stacks.network import NetworkStack
from stacks.operations import OperationsStack
from stacks.security import SecurityStack

__all__ = ["ApplicationStack", "BackupCopyStack", "DataStack", "EdgeStack", "EnvironmentStack", "FoundationStack",
           "IdentityStack", "NetworkStack", "OperationsStack", "SecurityStack"]
