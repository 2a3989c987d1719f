"""No deploy of the default app may lose stored data without a reviewed change to the manifest."""

import copy

import pytest

from compliance.stateful import compare, load_manifest, stateful_resources
from nag_rules.assembly import CloudAssembly


@pytest.fixture(scope="module")
def current(default_assembly):
    return stateful_resources(CloudAssembly.load(default_assembly))


def test_the_default_app_keeps_every_stateful_resource_the_manifest_records(current):
    problems = compare(load_manifest(), current)
    assert not problems, "\n".join(problems + ["", "Stored data would be lost or is unrecorded; if this is "
                                               "deliberate, run `make manifest` and have the change reviewed."])


def test_every_data_store_that_holds_records_is_retained_in_the_manifest():
    kept = {e["path"]: e for e in load_manifest()}
    for path in ("Data/Records/Cluster/Resource", "Data/DailyRecords/Resource", "Data/TeachingMaterials/Resource",
                 "Data/LearningRecords/Resource", "Data/Backup/Vault/Resource", "Foundation/LogArchive/Resource",
                 "Foundation/Keys/Customer/Resource"):
        assert kept[path]["deletion_policy"] in ("Retain", "RetainExceptOnCreate"), path
        assert kept[path]["update_replace_policy"] == "Retain", path
    assert kept["Data/Records/Cluster/Resource"]["deletion_protection"] is True
    assert kept["Data/DailyRecords/Resource"]["deletion_protection"] is True


def _find(entries, path):
    return next(e for e in entries if e["path"] == path)


def test_a_changed_logical_id_is_named_as_a_replacement(current):
    changed = copy.deepcopy(current)
    _find(changed, "Data/TeachingMaterials/Resource")["logical_id"] = "TeachingMaterialsRenamed"
    problems = compare(current, changed)
    assert any("logical ID changed to TeachingMaterialsRenamed" in p for p in problems)
    assert any("TeachingMaterialsRenamed" in p and "a new stateful resource" in p for p in problems)


def test_a_removed_resource_a_lost_retain_policy_and_lost_deletion_protection_are_each_named(current):
    changed = copy.deepcopy(current)
    changed.remove(_find(changed, "Data/LearningRecords/Resource"))
    _find(changed, "Foundation/LogArchive/Resource")["deletion_policy"] = "Delete"
    _find(changed, "Data/Records/Cluster/Resource")["deletion_protection"] = False
    problems = compare(current, changed)
    assert len(problems) == 3, problems
    assert any("Data/LearningRecords/Resource): it is gone from the app" in p for p in problems)
    assert any("deletion_policy went from RetainExceptOnCreate to Delete" in p for p in problems)
    assert any("deletion protection was turned off" in p for p in problems)
