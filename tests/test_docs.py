from compliance.docs import RULES_DOC, render_rules_doc
from nag_rules import all_rules


def test_rules_doc_is_current():
    assert RULES_DOC.read_text(encoding="utf-8") == render_rules_doc(), (
        "docs/rules.md is stale: run `make docs` and commit the result")


def test_rules_doc_documents_every_rule():
    text = render_rules_doc()
    for rule in all_rules():
        assert f"## {rule.id}" in text
        assert rule.description in text
