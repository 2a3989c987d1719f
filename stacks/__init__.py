"""Stacks compose constructs from constructs_lib and wire grants; settings come from config."""

from stacks.application import ApplicationStack
from stacks.data import DataStack
from stacks.edge import EdgeStack
from stacks.environment_stack import EnvironmentStack
from stacks.foundation import FoundationStack
from stacks.network import NetworkStack

__all__ = ["ApplicationStack", "DataStack", "EdgeStack", "EnvironmentStack", "FoundationStack", "NetworkStack"]
