"""Building apps and stacks the way `cdk synth` does, and running the ISO27017 pack on them."""

from __future__ import annotations

import tempfile
from typing import Any

import aws_cdk as cdk

from config.cdk_json import cdk_json_context
from nag_rules import Evaluation, Iso27017Checks, Rule

TOKYO = cdk.Environment(account="123456789012", region="ap-northeast-1")


def new_app(**context: Any) -> cdk.App:
    return cdk.App(context=cdk_json_context(**context), outdir=tempfile.mkdtemp(prefix="cdk-test-"))


def new_stack(env: cdk.Environment | None = TOKYO, name: str = "Test") -> cdk.Stack:
    return cdk.Stack(new_app(), name, env=env)


def evaluations_of(scope: Any, rule: Rule) -> list[Evaluation]:
    """Evaluations of ``rule`` on everything under ``scope``, via the pack as cdk-nag runs it."""
    pack = Iso27017Checks(rules=[rule])
    pack.validate_scope(scope)
    return [e for e in pack.evaluations if e.rule is rule]


def only(evaluations: list[Evaluation]) -> Evaluation:
    assert len(evaluations) == 1, evaluations
    return evaluations[0]


def retained_logs(scope: Any, construct_id: str = "Logs") -> Any:
    """A log group every pack accepts: kept a year, retained, encrypted with its own data-class key."""
    from constructs_lib.data_classification import DataClass
    from constructs_lib.keys import DataClassKey
    from constructs_lib.log_group import RetainedLogGroup

    key = DataClassKey(scope, f"{construct_id}Key", data_class=DataClass.OPERATIONS, alias_prefix="test")
    return RetainedLogGroup(scope, construct_id, encryption_key=key)
