"""Continuous compliance: the AWS Config conformance pack generated from iso27017-config-rules.toml.

Each managed rule is named after the clause it watches, so Config's own results speak the whitepaper's
language; a parameter such as ``{log_retention_days}`` is filled from the environment's settings.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from compliance.catalogue import Catalogue, load_catalogue
from config.settings import EnvironmentSettings
from constructs_lib.data_classification import TAG_KEY, DataClass
from nag_rules.standards import ELB_TLS_POLICIES

MAPPING_FILE = Path(__file__).with_name("iso27017-config-rules.toml")
RULE_PREFIX = "iso27017"
CONSTANTS = {
    "data_classification_tag": TAG_KEY,
    "data_classes": ",".join(data_class.value for data_class in DataClass),
    "elb_tls_policies": ",".join(ELB_TLS_POLICIES),
}
"""Placeholders filled from the package itself rather than from an environment's settings."""
FREQUENCIES = ("One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours")
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_IDENTIFIER = re.compile(r"^[A-Z][A-Z0-9_]+$")
_RESOURCE_TYPE = re.compile(r"^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_DESCRIPTION_LIMIT = 256


class ConformanceError(ValueError):
    """The mapping file is wrong; the message names the file and the clause."""


@dataclass(frozen=True)
class ManagedRule:
    clause: str
    identifier: str
    checks: str
    parameters: dict[str, str]
    scope: tuple[str, ...]
    scope_tag: tuple[str, str] | None
    frequency: str | None

    @property
    def name(self) -> str:
        clause = self.clause.replace(".", "-").lower()
        return f"{RULE_PREFIX}-{clause}-{self.identifier.lower().replace('_', '-')}"


@dataclass(frozen=True)
class Mapping:
    rules: tuple[ManagedRule, ...]
    unmapped: dict[str, str]


@cache
def load_mapping(path: Path = MAPPING_FILE) -> Mapping:
    """Read and validate the mapping against the catalogue; every problem raises ConformanceError."""
    catalogue = load_catalogue()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConformanceError(f"{path.name}: unreadable ({error})") from None
    known = set(EnvironmentSettings.model_fields) | set(CONSTANTS)
    rules = [_rule(raw, path.name, catalogue, known) for raw in data.get("rules", [])]
    unmapped: dict[str, str] = {}
    for raw in data.get("unmapped", []):
        clause = _clause_of(raw, path.name, catalogue)
        reason = str(raw.get("reason") or "").strip()
        if len(reason.split()) < 8:
            raise ConformanceError(f"{path.name}: clause {clause}: [[unmapped]] needs a reason saying why no managed "
                                   "rule exists and what checks the clause instead")
        if clause in unmapped:
            raise ConformanceError(f"{path.name}: clause {clause}: explained twice in [[unmapped]]")
        unmapped[clause] = reason
    names: dict[str, ManagedRule] = {}
    for rule in rules:
        if rule.clause in unmapped:
            raise ConformanceError(f"{path.name}: clause {rule.clause}: both mapped to {rule.identifier} and "
                                   "explained as unmapped; keep one")
        if not _NAME.match(rule.name):
            raise ConformanceError(f"{path.name}: clause {rule.clause}: rule name {rule.name!r} is not 1-128 of "
                                   "A-Z a-z 0-9 - _")
        if rule.name in names:
            raise ConformanceError(f"{path.name}: clause {rule.clause}: {rule.identifier} is mapped twice")
        names[rule.name] = rule
    mapped = {rule.clause for rule in rules}
    for clause in catalogue.clauses:
        if clause.category == "infrastructure" and clause.id not in mapped and clause.id not in unmapped:
            raise ConformanceError(f"{path.name}: clause {clause.id}: an infrastructure clause needs a [[rules]] "
                                   "entry or an [[unmapped]] reason")
    return Mapping(tuple(rules), unmapped)


def _clause_of(raw: dict[str, Any], file: str, catalogue: Catalogue) -> str:
    clause = str(raw.get("clause") or "")
    if clause not in catalogue.ids:
        raise ConformanceError(f"{file}: clause {clause or '(missing)'}: not in the clause catalogue")
    return clause


def _rule(raw: dict[str, Any], file: str, catalogue: Catalogue, known: set[str]) -> ManagedRule:
    clause = _clause_of(raw, file, catalogue)
    where = f"{file}: clause {clause}"
    unknown_keys = set(raw) - {"clause", "identifier", "checks", "parameters", "scope", "scope_tag", "frequency"}
    if unknown_keys:
        raise ConformanceError(f"{where}: unknown keys {sorted(unknown_keys)}")
    identifier = str(raw.get("identifier") or "")
    if not _IDENTIFIER.match(identifier):
        raise ConformanceError(f"{where}: identifier {identifier!r} is not an AWS managed rule identifier such as "
                               "CW_LOGGROUP_RETENTION_PERIOD_CHECK")
    checks = str(raw.get("checks") or "").strip()
    if not checks:
        raise ConformanceError(f"{where}: {identifier} needs `checks`, the sentence of its description")
    parameters = raw.get("parameters", {})
    if not isinstance(parameters, dict) or not all(isinstance(v, str) for v in parameters.values()):
        raise ConformanceError(f"{where}: {identifier} parameters must be a table of strings")
    scope = raw.get("scope", [])
    if not isinstance(scope, list) or not all(isinstance(t, str) and _RESOURCE_TYPE.match(t) for t in scope):
        raise ConformanceError(f"{where}: {identifier} scope must list resource types such as AWS::S3::Bucket")
    tag = raw.get("scope_tag")
    if tag is not None and scope:
        raise ConformanceError(f"{where}: {identifier} has both scope and scope_tag; allowed: one of them (AWS Config "
                               "scopes a rule by resource types or by one tag, not both)")
    if tag is not None and (not isinstance(tag, dict) or set(tag) != {"key", "value"}):
        raise ConformanceError(f"{where}: {identifier} scope_tag must be {{ key = ..., value = ... }}")
    frequency = raw.get("frequency")
    if frequency is not None and frequency not in FREQUENCIES:
        raise ConformanceError(f"{where}: {identifier} frequency {frequency!r}; allowed: {', '.join(FREQUENCIES)}")
    texts = [checks, *parameters.values(), *((tag or {}).values())]
    missing = sorted({name for text in texts for name in _PLACEHOLDER.findall(text)} - known)
    if missing:
        raise ConformanceError(f"{where}: {identifier} uses unknown placeholders {missing}; allowed: the settings "
                               f"fields of config/settings.py and {', '.join(sorted(CONSTANTS))}")
    return ManagedRule(clause, identifier, checks, dict(parameters), tuple(scope),
                       (tag["key"], tag["value"]) if tag else None, frequency)


def _fill(text: str, values: dict[str, Any]) -> str:
    return _PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), text)


def _values(settings: EnvironmentSettings) -> dict[str, Any]:
    return {**settings.model_dump(), **CONSTANTS}


def _description(rule: ManagedRule, catalogue: Catalogue, values: dict[str, Any]) -> str:
    text = f"{rule.clause} {catalogue.clause(rule.clause).title_en}: {_fill(rule.checks, values)}"
    if len(text) > _DESCRIPTION_LIMIT:
        raise ConformanceError(f"{MAPPING_FILE.name}: clause {rule.clause}: {rule.identifier} description is "
                               f"{len(text)} characters; AWS Config allows {_DESCRIPTION_LIMIT}")
    return text


def _logical_id(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_]", name))


def conformance_pack_template(settings: EnvironmentSettings) -> dict[str, Any]:
    """The conformance pack as a CloudFormation-style template of AWS::Config::ConfigRule resources."""
    catalogue = load_catalogue()
    values = _values(settings)
    resources: dict[str, Any] = {}
    for rule in load_mapping().rules:
        properties: dict[str, Any] = {
            "ConfigRuleName": rule.name,
            "Description": _description(rule, catalogue, values),
            "Source": {"Owner": "AWS", "SourceIdentifier": rule.identifier},
        }
        if rule.parameters:
            properties["InputParameters"] = {key: _fill(value, values) for key, value in rule.parameters.items()}
        scope: dict[str, Any] = {}
        if rule.scope:
            scope["ComplianceResourceTypes"] = list(rule.scope)
        if rule.scope_tag:
            scope["TagKey"], scope["TagValue"] = (_fill(text, values) for text in rule.scope_tag)
        if scope:
            properties["Scope"] = scope
        if rule.frequency:
            properties["MaximumExecutionFrequency"] = rule.frequency
        logical_id = _logical_id(rule.name)
        if logical_id in resources:
            raise ConformanceError(f"{MAPPING_FILE.name}: clause {rule.clause}: {rule.identifier} gives the logical "
                                   f"id {logical_id} of another rule")
        resources[logical_id] = {"Type": "AWS::Config::ConfigRule", "Properties": properties}
    return {"Resources": resources}


def config_rules_by_clause(settings: EnvironmentSettings) -> dict[str, list[dict[str, Any]]]:
    """Per clause, the Config rules that watch it: name, identifier and the parameters as deployed."""
    values = _values(settings)
    found: dict[str, list[dict[str, Any]]] = {}
    for rule in load_mapping().rules:
        found.setdefault(rule.clause, []).append({
            "name": rule.name,
            "identifier": rule.identifier,
            "parameters": {key: _fill(value, values) for key, value in rule.parameters.items()},
        })
    return found


def unmapped_reasons() -> dict[str, str]:
    """Per infrastructure clause no managed rule can watch, why, and what checks it instead."""
    return dict(load_mapping().unmapped)
