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

from config import DEFAULT_ENVIRONMENT, EnvironmentSettings, load_environment  # noqa: E402
from stacks.approvals import approve_network_links  # noqa: E402
from stacks.service import build_stacks, register_packs, run_app  # noqa: E402


def build(app: cdk.App, settings: EnvironmentSettings) -> None:
    build_stacks(app, settings)
    approve_network_links(app, settings.network_links)
    register_packs(app)


__all__ = ["build", "build_stacks", "main", "register_packs"]


def main(compose: Callable[[cdk.App, EnvironmentSettings], None] = build) -> int:
    def build_from_context(app: cdk.App) -> None:
        compose(app, load_environment(app.node.try_get_context("env") or DEFAULT_ENVIRONMENT,
                                      app.node.try_get_context("config")))
    return run_app(build_from_context)


if __name__ == "__main__":
    sys.exit(main())
