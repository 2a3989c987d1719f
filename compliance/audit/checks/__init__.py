"""One audit check per module: ``CHECK`` beside the function it wraps; the file is named after the check."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from compliance.audit.framework import AuditCheck


@cache
def all_checks() -> tuple[AuditCheck, ...]:
    checks = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        check = getattr(module, "CHECK", None)
        if not isinstance(check, AuditCheck):
            raise TypeError(f"{module.__name__} defines no CHECK")
        checks.append(check)
    return tuple(checks)
