"""The data-loss guard: a committed manifest of every stateful resource, compared with what the app
synthesizes now. A stateful resource that disappears, changes its logical ID (CloudFormation would
create a new one and delete or orphan the old), or loses its retain policy or deletion protection is a
loss of records (18.1.3, 12.3.1) that must be a deliberate, reviewed change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nag_rules.assembly import CloudAssembly, Resource
from nag_rules.resource_types import DATA_STORE_TYPES

MANIFEST_FILE = Path(__file__).resolve().parent / "stateful-resources.json"
UPDATE_HINT = ("if this is deliberate, run `make manifest` and have the change to compliance/stateful-resources.json "
               "reviewed: it records which stored data the change gives up")

RETAINING = ("Retain", "RetainExceptOnCreate", "Snapshot")
"""Deletion policies that keep the data when the stack or the resource goes away."""


def stateful_resources(assembly: CloudAssembly) -> list[dict[str, Any]]:
    """Every stateful resource of the assembly with what protects it, sorted by stack and logical ID."""
    entries = [_entry(resource) for resource in assembly.resources() if resource.type in DATA_STORE_TYPES]
    return sorted(entries, key=lambda e: (e["stack"], e["logical_id"]))


def _entry(resource: Resource) -> dict[str, Any]:
    body = resource.stack.template["Resources"][resource.logical_id]
    return {
        "stack": resource.stack.stack_name,
        "logical_id": resource.logical_id,
        "type": resource.type,
        "path": resource.path,
        "deletion_policy": body.get("DeletionPolicy", "Delete"),
        "update_replace_policy": body.get("UpdateReplacePolicy", "Delete"),
        "deletion_protection": _deletion_protection(resource),
    }


def _deletion_protection(resource: Resource) -> bool | None:
    """True or False where the type has deletion protection, None where it has none to set."""
    if resource.type in ("AWS::RDS::DBCluster", "AWS::RDS::DBInstance", "AWS::DocDB::DBCluster",
                         "AWS::Neptune::DBCluster"):
        if resource.type == "AWS::RDS::DBInstance" and resource.prop("DBClusterIdentifier") is not None:
            return None
        return resource.prop("DeletionProtection") in (True, "true")
    if resource.type == "AWS::DynamoDB::Table":
        return resource.prop("DeletionProtectionEnabled") in (True, "true")
    if resource.type == "AWS::DynamoDB::GlobalTable":
        replicas = resource.prop("Replicas", default=[]) or []
        return bool(replicas) and all(isinstance(r, dict) and r.get("DeletionProtectionEnabled") in (True, "true")
                                      for r in replicas)
    return None


def compare(manifest: list[dict[str, Any]], current: list[dict[str, Any]]) -> list[str]:
    """One line per way ``current`` could lose data that ``manifest`` records as kept."""
    now = {(e["stack"], e["logical_id"]): e for e in current}
    then = {(e["stack"], e["logical_id"]): e for e in manifest}
    problems = []
    for key, entry in then.items():
        found = now.get(key)
        if found is None:
            moved = [e for e in current if e["path"] == entry["path"] and e["type"] == entry["type"]]
            how = (f"its logical ID changed to {moved[0]['logical_id']}: CloudFormation would create a new, empty "
                   "resource and delete or orphan the one holding the data" if moved else
                   "it is gone from the app: CloudFormation would delete it, or orphan it if retained")
            problems.append(f"{entry['stack']}/{entry['logical_id']} ({entry['type']}, {entry['path']}): {how}")
            continue
        if found["type"] != entry["type"]:
            problems.append(f"{found['stack']}/{found['logical_id']}: type changed from {entry['type']} to "
                            f"{found['type']}: the resource would be replaced")
        for field in ("deletion_policy", "update_replace_policy"):
            if entry[field] in RETAINING and found[field] not in RETAINING:
                problems.append(f"{found['stack']}/{found['logical_id']} ({found['path']}): {field} went from "
                                f"{entry[field]} to {found[field]}: deleting the stack or replacing the resource "
                                "would delete its data")
        if entry["deletion_protection"] and not found["deletion_protection"]:
            problems.append(f"{found['stack']}/{found['logical_id']} ({found['path']}): deletion protection was "
                            "turned off")
    for key, entry in now.items():
        if key not in then:
            problems.append(f"{entry['stack']}/{entry['logical_id']} ({entry['type']}, {entry['path']}): a new "
                            "stateful resource the manifest does not record yet")
    return problems


def load_manifest(path: Path = MANIFEST_FILE) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["resources"]


def manifest_text(current: list[dict[str, Any]]) -> str:
    return json.dumps({
        "about": "Stateful resources of the default environment and what keeps their data. Regenerate with "
                 "`make manifest` only for a deliberate, reviewed change (tests/test_data_loss_guard.py).",
        "resources": current,
    }, indent=1, ensure_ascii=False) + "\n"
