"""The context of cdk.json (feature flags included), for apps built outside the CDK CLI."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

CDK_JSON = Path(__file__).resolve().parent.parent / "cdk.json"


@cache
def _context() -> dict[str, Any]:
    return dict(json.loads(CDK_JSON.read_text(encoding="utf-8")).get("context", {}))


def cdk_json_context(**overrides: Any) -> dict[str, Any]:
    """cdk.json's context with ``overrides``: what ``cdk synth`` gives the app, for tests and benchmarks."""
    return {**_context(), **overrides}
