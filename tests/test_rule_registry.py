import ast
import re
from pathlib import Path

import pytest

from compliance.catalogue import load_catalogue
from nag_rules import Rule, all_rules

RULES_DIR = Path(__file__).resolve().parent.parent / "nag_rules" / "rules"
TESTS_DIR = Path(__file__).resolve().parent / "rules"


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.name)
def test_file_name_is_the_rule_name_and_the_function_too(rule: Rule):
    module = rule.check.__module__.rsplit(".", 1)[-1]
    assert module == snake(rule.name)
    assert rule.check.__name__ == snake(rule.name)
    assert (RULES_DIR / f"{module}.py").is_file()


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.name)
def test_rule_cites_catalogue_clauses_and_states_the_violation(rule: Rule):
    ids = load_catalogue().ids
    assert rule.clauses and all(clause in ids for clause in rule.clauses)
    assert rule.description.startswith(f"[{', '.join(rule.clauses)}] ")
    assert rule.info.endswith(".") and rule.explanation
    assert rule.resource_types


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.name)
def test_every_rule_has_noncompliant_and_compliant_cases(rule: Rule):
    tests = TESTS_DIR / f"test_{snake(rule.name)}.py"
    assert tests.is_file(), f"{tests} missing"
    names = [node.name for node in ast.walk(ast.parse(tests.read_text())) if isinstance(node, ast.FunctionDef)]
    assert any(n.startswith("test_noncompliance_") for n in names)
    assert any(n.startswith("test_compliance_") for n in names)


def test_rule_names_are_unique():
    names = [rule.name for rule in all_rules()]
    assert len(names) == len(set(names))
