import re
from pathlib import Path

import pytest

from compliance.catalogue import CATEGORIES, load_catalogue

WHITEPAPER_NAME = "tomolinks-cloud-security-whitepaper-v1.0.ja.txt"
WHITEPAPER = Path(__file__).resolve().parents[1] / "compliance" / "whitepaper" / WHITEPAPER_NAME
"""The project's copy of the whitepaper, so the catalogue is always checked against the source."""
SHARED_WHITEPAPER = Path(__file__).resolve().parents[2] / "shared" / "whitepaper" / WHITEPAPER_NAME
EXPECTED_IDS = (
    "5.1.1", "6.1.1", "6.1.3", "CLD.6.3.1", "7.2.2", "8.1.1", "CLD.8.1.5", "8.2.2",
    "9.2.1", "9.2.2", "9.2.3", "9.2.4", "9.4.1", "9.4.4", "CLD.9.5.1", "CLD.9.5.2",
    "10.1.1", "11.2.7", "12.1.2", "12.1.3", "CLD.12.1.5", "12.3.1", "12.4.1", "12.4.4",
    "CLD.12.4.5", "12.6.1", "13.1.3", "14.1.1", "14.2.1", "15.1.2", "15.1.3", "16.1.1",
    "16.1.2", "16.1.7", "18.1.1", "18.1.2", "18.1.3", "18.1.5", "18.2.1",
)


def _whitepaper() -> str:
    return WHITEPAPER.read_text(encoding="utf-8")


def test_the_projects_copy_is_the_shared_whitepaper():
    if not SHARED_WHITEPAPER.is_file():
        pytest.skip(f"{SHARED_WHITEPAPER} is not beside this checkout; the project's copy is used")
    assert WHITEPAPER.read_bytes() == SHARED_WHITEPAPER.read_bytes()


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_catalogue_holds_the_39_clauses_in_whitepaper_order():
    assert load_catalogue().ids == EXPECTED_IDS
    assert len(EXPECTED_IDS) == 39


def test_catalogue_ids_are_exactly_the_whitepapers_clause_headings():
    text = _whitepaper()
    body = text[text.index("以下に ISO/IEC 27017"):]
    headings = re.findall(r"^((?:CLD|GLD)\.)?(\d+\.\d+\.\d+) \S", body, flags=re.MULTILINE)
    ids = tuple(("CLD." if prefix else "") + number for prefix, number in headings)
    assert ids == load_catalogue().ids


def test_statements_are_quoted_verbatim_from_the_whitepaper():
    whitepaper = _squash(_whitepaper())
    for clause in load_catalogue().clauses:
        assert clause.statement_ja, clause.id
        assert _squash(clause.statement_ja) in whitepaper, clause.id


def test_titles_are_the_whitepapers_headings():
    text = _whitepaper()
    for clause in load_catalogue().clauses:
        heading = clause.id.replace("CLD.", "(?:CLD|GLD).")
        assert re.search(rf"^{heading} {re.escape(clause.title_ja)}$", text, flags=re.MULTILINE), clause.id


def test_every_clause_has_a_category_summary_and_control():
    for clause in load_catalogue().clauses:
        assert clause.category in CATEGORIES
        assert clause.summary_en and clause.control_en and clause.title_en, clause.id


def test_gld_typos_are_corrected_to_iso_ids():
    ids = load_catalogue().ids
    assert "CLD.9.5.1" in ids and "CLD.9.5.2" in ids
    assert not any(i.startswith("GLD") for i in ids)


def test_clauses_without_a_security_hub_control_say_so_when_infrastructure():
    for clause in load_catalogue().clauses:
        if clause.category == "infrastructure":
            assert clause.security_hub or clause.security_hub_note, clause.id
