from __future__ import annotations

import csv
import io
from typing import Any

COLUMNS = (
    "clause_id", "chapter", "title_en", "title_ja", "category", "clause_status",
    "rule_id", "resource_path", "stack", "resource_type", "logical_id",
    "result", "evidence", "acknowledgement_reason",
)


def render_csv(report: dict[str, Any]) -> str:
    """One row per evaluation (its result: compliant/violated/acknowledged/unresolved, or an audit's
    pass/fail/unverified); a clause no rule evaluated gets one row with its status alone."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for clause in report["clauses"]:
        head = [clause["id"], clause["chapter"], clause["title_en"], clause["title_ja"],
                clause["category"], clause["status"]]
        rows = [
            [rule["id"], e["path"], e["stack"], e["type"], e["logical_id"], e.get("result", e["status"]), e["evidence"],
             (e.get("acknowledgement") or {}).get("reason", "")]
            for rule in clause["rules"] for e in rule["evaluations"]
        ]
        for row in rows or [[""] * 8]:
            writer.writerow(head + row)
    return out.getvalue()
