"""One rule per module: ``RULE`` beside the pure function it wraps; the file is named after the rule."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from nag_rules.engine import Rule


@cache
def all_rules() -> tuple[Rule, ...]:
    rules = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        rule = getattr(module, "RULE", None)
        if not isinstance(rule, Rule):
            raise TypeError(f"{module.__name__} defines no RULE")
        rules.append(rule)
    return tuple(rules)
