#!/usr/bin/env python3
"""CDK app of the delivery pipeline (12.1.2): the pipeline stack and, as its stages, every environment.

    npx cdk synth --app ".venv/bin/python pipeline_app.py" [-c pipeline_config=PATH] [-c config=PATH]
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk  # noqa: E402

from config import load_environment  # noqa: E402
from config.pipeline import load_pipeline  # noqa: E402
from stacks.pipeline import PipelineStack  # noqa: E402
from stacks.service import register_packs, run_app  # noqa: E402


def build(app: cdk.App) -> PipelineStack:
    """The pipeline stack for the app's context, and the four nag packs on the app (they check every stage's
    stacks too); ConfigurationError on any configuration problem."""
    environments_file = app.node.try_get_context("config")
    settings = load_pipeline(app.node.try_get_context("pipeline_config"), environments_file)
    environments = [(name, load_environment(name, environments_file)) for name in settings.environments]
    stack = PipelineStack(app, "Pipeline", settings=settings, environments=environments)
    register_packs(app)
    return stack


def main() -> int:
    return run_app(build)


if __name__ == "__main__":
    sys.exit(main())
