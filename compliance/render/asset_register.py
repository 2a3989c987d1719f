from __future__ import annotations

import csv
import io
from typing import Any

COLUMNS = (
    "stack", "region", "construct path", "type", "classification", "KMS key", "backup", "retention",
    "deletion policy",
)


def render_asset_register(report: dict[str, Any]) -> str:
    """The asset register (8.1.1, 8.2.2): one row per stateful resource."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for asset in report.get("assets", []):
        writer.writerow([asset["stack"], asset["region"] or "", asset["path"], asset["type"],
                         asset["classification"] or "", "; ".join(asset["kms_keys"]), backup_text(asset),
                         asset["retention"], deletion_text(asset)])
    return out.getvalue()


def backup_text(asset: dict[str, Any]) -> str:
    return "; ".join(asset["backup"]) or "none"


def deletion_text(asset: dict[str, Any]) -> str:
    policy = asset["deletion_policy"]
    return f"{policy}, deletion protection" if asset.get("deletion_protection") else policy


def classification_counts(report: dict[str, Any]) -> dict[str, int]:
    """Assets per data class, most first; untagged ones as ``(none)``."""
    counts: dict[str, int] = {}
    for asset in report.get("assets", []):
        label = asset["classification"] or "(none)"
        counts[label] = counts.get(label, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
