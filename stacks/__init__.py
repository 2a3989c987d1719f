"""Stacks compose constructs from constructs_lib and wire grants; settings come from config."""

from stacks.environment_stack import EnvironmentStack
from stacks.foundation import FoundationStack

__all__ = ["EnvironmentStack", "FoundationStack"]
