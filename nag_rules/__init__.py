"""ISO/IEC 27017 rules for cdk-nag 3, evaluated once per resource on the synthesized templates."""

from nag_rules.engine import PACK_NAME, Check, Evaluation, Outcome, Rule, Severity, Status
from nag_rules.pack import EVALUATIONS_FILE, Iso27017Checks, register_packs
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
