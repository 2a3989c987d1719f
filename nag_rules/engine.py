"""Rules as pure functions of one resource, and their evaluation over a cloud assembly."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Iterable

from nag_rules.assembly import Acknowledgement, CloudAssembly, Resource

PACK_NAME = "ISO27017"
EVALUATIONS_FILE = "iso27017-evaluations.json"
"""Where the pack records every evaluation, beside the templates it read."""


class Outcome(str, Enum):
    """What a rule function says about one resource."""

    COMPLIANT = "compliant"
    NON_COMPLIANT = "non_compliant"
    UNRESOLVED = "unresolved"
    """A value the rule needs is only known at deploy time: never a pass."""
    NOT_APPLICABLE = "not_applicable"


class Status(str, Enum):
    """What an evaluation means once acknowledgements are applied."""

    COMPLIANT = "compliant"
    VIOLATED = "violated"
    ACKNOWLEDGED = "acknowledged"
    UNRESOLVED = "unresolved"


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Check:
    outcome: Outcome
    evidence: str
    """The property (or related resource) and value that decided the outcome."""


def compliant(evidence: str) -> Check:
    """A pass must say what proved it."""
    if not evidence.strip():
        raise ValueError("a compliant result needs evidence")
    return Check(Outcome.COMPLIANT, evidence)


def non_compliant(evidence: str) -> Check:
    return Check(Outcome.NON_COMPLIANT, evidence)


def unresolved(evidence: str) -> Check:
    return Check(Outcome.UNRESOLVED, evidence)


def not_applicable(evidence: str = "") -> Check:
    return Check(Outcome.NOT_APPLICABLE, evidence)


@dataclass(frozen=True)
class Rule:
    name: str
    """PascalCase; the rule id is ``ISO27017-<name>`` and its file ``rules/<snake_name>.py``."""
    clauses: tuple[str, ...]
    resource_types: tuple[str, ...]
    info: str
    """One sentence stating the violation."""
    explanation: str
    """Why the rule exists and how to fix a violation."""
    check: Callable[[Resource], Check]
    severity: Severity = Severity.ERROR
    security_hub: tuple[str, ...] = ()
    """AWS Security Hub control IDs that check the same thing in a live account."""

    @property
    def id(self) -> str:
        return f"{PACK_NAME}-{self.name}"

    @property
    def description(self) -> str:
        return f"[{', '.join(self.clauses)}] {self.info}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "clauses": list(self.clauses),
            "resource_types": list(self.resource_types),
            "severity": self.severity.value,
            "info": self.info,
            "description": self.description,
            "explanation": self.explanation,
            "security_hub": list(self.security_hub),
        }


@dataclass(frozen=True)
class Evaluation:
    rule: Rule
    resource: Resource
    outcome: Outcome
    status: Status
    evidence: str
    acknowledgement: Acknowledgement | None = None

    @property
    def blocks_gate(self) -> bool:
        return self.status in (Status.VIOLATED, Status.UNRESOLVED)

    def to_dict(self) -> dict[str, Any]:
        resource = self.resource
        return {
            "rule": self.rule.id,
            "clauses": list(self.rule.clauses),
            "path": resource.path,
            "stack": resource.stack.display_name,
            "logical_id": resource.logical_id,
            "type": resource.type,
            "outcome": self.outcome.value,
            "status": self.status.value,
            "evidence": self.evidence,
            "acknowledgement": None if self.acknowledgement is None else {
                "id": self.acknowledgement.rule_id,
                "path": self.acknowledgement.path,
                "reason": self.acknowledgement.justification,
                "owner": self.acknowledgement.owner,
                "expires": str(self.acknowledgement.expires) if self.acknowledgement.expires else None,
            },
        }


def evaluate(
    assembly: CloudAssembly,
    rules: Iterable[Rule],
    within: str = "",
) -> list[Evaluation]:
    """Evaluate every rule on every resource of its types under construct path ``within``."""
    by_type: dict[str, list[Rule]] = {}
    for rule in rules:
        for resource_type in rule.resource_types:
            by_type.setdefault(resource_type, []).append(rule)
    prefix = within.strip("/")
    evaluations: list[Evaluation] = []
    for resource in assembly.resources():
        applicable = by_type.get(resource.type)
        if not applicable or not _under(resource.path, prefix):
            continue
        for rule in applicable:
            check = _run(rule, resource)
            if check.outcome is Outcome.NOT_APPLICABLE:
                continue
            evaluations.append(_judge(assembly, rule, resource, check))
    return evaluations


def _run(rule: Rule, resource: Resource) -> Check:
    try:
        return rule.check(resource)
    except Exception as error:  # a broken rule must never read as a pass
        return unresolved(f"rule raised {type(error).__name__}: {error}")


def _judge(assembly: CloudAssembly, rule: Rule, resource: Resource, check: Check) -> Evaluation:
    if check.outcome is Outcome.COMPLIANT:
        return Evaluation(rule, resource, check.outcome, Status.COMPLIANT, check.evidence)
    acknowledgement = assembly.acknowledgement_for(rule.id, resource.path, PACK_NAME)
    if acknowledgement is not None:
        status = Status.ACKNOWLEDGED
    elif check.outcome is Outcome.UNRESOLVED:
        status = Status.UNRESOLVED
    else:
        status = Status.VIOLATED
    return Evaluation(rule, resource, check.outcome, status, check.evidence, acknowledgement)


def _under(path: str, prefix: str) -> bool:
    return not prefix or path == prefix or path.startswith(prefix + "/")
