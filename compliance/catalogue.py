"""The clause catalogue: every clause of the whitepaper, read from iso27017-clauses.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CATALOGUE_FILE = Path(__file__).with_name("iso27017-clauses.toml")

CATEGORIES = ("infrastructure", "shared", "aws-inherited", "organisational", "customer")


@dataclass(frozen=True)
class SecurityHubControl:
    id: str
    title: str
    fsbp: bool
    cis_v5: str | None
    other: str | None

    @property
    def standards(self) -> str:
        parts = ["FSBP"] if self.fsbp else []
        if self.cis_v5:
            parts.append(f"CIS v5.0.0 {self.cis_v5}")
        if self.other:
            parts.append(self.other)
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "standards": self.standards}


@dataclass(frozen=True)
class Clause:
    id: str
    chapter: str
    title_ja: str
    title_en: str
    category: str
    summary_en: str
    control_en: str
    remaining_en: tuple[str, ...]
    """Of a shared clause: what the application or the organisation must still do."""
    statement_ja: str
    security_hub: tuple[SecurityHubControl, ...]
    security_hub_note: str


@dataclass(frozen=True)
class Catalogue:
    document_ja: str
    document_en: str
    standard: str
    chapters: dict[str, tuple[str, str]]
    """Chapter number to (Japanese, English) title."""
    clauses: tuple[Clause, ...]

    def clause(self, clause_id: str) -> Clause:
        for clause in self.clauses:
            if clause.id == clause_id:
                return clause
        raise KeyError(clause_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(clause.id for clause in self.clauses)


class CatalogueError(ValueError):
    pass


@cache
def load_catalogue(path: Path = CATALOGUE_FILE) -> Catalogue:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    controls = {
        control_id: SecurityHubControl(
            id=control_id,
            title=spec["title"],
            fsbp=bool(spec.get("fsbp")),
            cis_v5=spec.get("cis_v5"),
            other=spec.get("other"),
        )
        for control_id, spec in data.get("security_hub_controls", {}).items()
    }
    chapters = {number: (spec["ja"], spec["en"]) for number, spec in data["chapters"].items()}
    clauses = []
    for raw in data["clauses"]:
        clause_id = raw["id"]
        chapter = clause_id.removeprefix("CLD.").split(".", 1)[0]
        if raw["category"] not in CATEGORIES:
            raise CatalogueError(f"{path.name}: clause {clause_id}: category {raw['category']!r}; "
                                 f"allowed: {', '.join(CATEGORIES)}")
        if chapter not in chapters:
            raise CatalogueError(f"{path.name}: clause {clause_id}: chapter {chapter} has no [chapters] entry")
        unknown = [c for c in raw.get("security_hub", []) if c not in controls]
        if unknown:
            raise CatalogueError(f"{path.name}: clause {clause_id}: security_hub {unknown} not in "
                                 "[security_hub_controls]")
        remaining = raw.get("remaining_en", [])
        if (raw["category"] == "shared") != bool(remaining):
            raise CatalogueError(f"{path.name}: clause {clause_id}: remaining_en is required for a shared clause "
                                 "(what the application or organisation must still do), and only for one")
        clauses.append(Clause(
            id=clause_id,
            chapter=chapter,
            title_ja=raw["title_ja"],
            title_en=raw["title_en"],
            category=raw["category"],
            summary_en=raw["summary_en"],
            control_en=raw["control_en"],
            remaining_en=tuple(remaining),
            statement_ja=raw["statement_ja"].strip(),
            security_hub=tuple(controls[c] for c in raw.get("security_hub", [])),
            security_hub_note=raw.get("security_hub_note", ""),
        ))
    ids = [clause.id for clause in clauses]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise CatalogueError(f"{path.name}: duplicate clause ids {duplicates}")
    return Catalogue(
        document_ja=data["document_ja"],
        document_en=data["document_en"],
        standard=data["standard"],
        chapters=chapters,
        clauses=tuple(clauses),
    )
