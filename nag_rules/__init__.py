"""ISO/IEC 27017 rules for cdk-nag 3, evaluated once per resource on the synthesized templates.

The pack (Iso27017Checks, register_packs) loads the CDK runtime, so it is imported only when
asked for: reading rules and evaluation records needs no Node.js process.
"""

from typing import Any

from nag_rules.engine import EVALUATIONS_FILE, PACK_NAME, Check, Evaluation, Outcome, Rule, Severity, Status
from nag_rules.rules import all_rules

__all__ = [
    "Check",
    "EVALUATIONS_FILE",
    "Evaluation",
    "Iso27017Checks",
    "Outcome",
    "PACK_NAME",
    "Rule",
    "Severity",
    "Status",
    "all_rules",
    "register_packs",
]


def __getattr__(name: str) -> Any:
    if name in ("Iso27017Checks", "register_packs"):
        from nag_rules import pack

        return getattr(pack, name)
    raise AttributeError(f"module 'nag_rules' has no attribute {name!r}")
