"""Read-only view of a synthesized cloud assembly: stacks (nested ones included), resources,
acknowledgements.

Rules and reports read the templates as CloudFormation will receive them (property
overrides included), once, in Python, without crossing the jsii bridge per property.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from config.settings import is_real_reason

STACK_ARTIFACT = "aws:cloudformation:stack"
ASSET_MANIFEST_ARTIFACT = "cdk:asset-manifest"
NESTED_ASSEMBLY_ARTIFACT = "cdk:cloud-assembly"
LOGICAL_ID = "aws:cdk:logicalId"
ACKNOWLEDGED_RULES = "aws:cdk:acknowledged-rules"
NESTED_STACK_TYPE = "AWS::CloudFormation::Stack"
UNKNOWN = ("unknown-account", "unknown-region")
_NESTED_RESOURCE_PATH = re.compile(r"^(?P<stack>.+)\.NestedStack/[^/]+\.NestedStackResource$")
_ASSET_HASH = re.compile(r"/([0-9a-f]{64})\.json")


class AssemblyError(Exception):
    """The directory is not a readable cloud assembly."""


@dataclass(frozen=True)
class Acknowledgement:
    """``Validations.of(construct).acknowledge(...)`` as recorded in the assembly."""

    rule_id: str
    """The acknowledged id as written, without CDK's ``Annotation::`` prefix."""
    path: str
    """Construct path the acknowledgement was recorded on ("" for the app)."""
    reason: str
    stack: str

    @property
    def pack(self) -> str:
        """The pack the rule belongs to: the ``<pack>::`` namespace (CDK writes a plugin name's spaces as
        dashes there), else the part before the first dash (cdk-nag's ``AwsSolutions-IAM5[...]``)."""
        rule = self.rule_id.split("[", 1)[0]
        namespace, separator, _ = rule.partition("::")
        if separator:
            return namespace.replace("-", " ") if namespace == "CloudFormation-Validate" else namespace
        return rule.split("-", 1)[0] if "-" in rule else ""

    @property
    def has_real_reason(self) -> bool:
        return is_real_reason(self.justification)

    @property
    def justification(self) -> str:
        """The reason without its governance suffix."""
        match = _GOVERNANCE.search(self.reason)
        return self.reason[:match.start()].rstrip() if match else self.reason

    @property
    def owner(self) -> str | None:
        match = _GOVERNANCE.search(self.reason)
        return match["owner"] if match and match["owner"] else None

    @property
    def expires(self) -> date | str | None:
        """The expiry date; the text as written if it is not an ISO date (the report then blocks it)."""
        match = _GOVERNANCE.search(self.reason)
        if not match or not match["expires"]:
            return None
        try:
            return date.fromisoformat(match["expires"])
        except ValueError:
            return match["expires"]


_GOVERNANCE = re.compile(r"\s*\[(?:owner: (?P<owner>[^;\]]+?))?(?:; )?(?:expires: (?P<expires>[^;\]]+?))?\]\s*$")


def governance_suffix(owner: str | None, expires: date | None) -> str:
    """``[owner: ...; expires: ...]`` as ``Acknowledgement`` reads it back, or "" with neither."""
    parts = ([f"owner: {owner.strip()}"] if owner else []) + ([f"expires: {expires.isoformat()}"] if expires else [])
    return f" [{'; '.join(parts)}]" if parts else ""


def acknowledgements_in(path: str, entries: list[Mapping[str, Any]], stack: str) -> list[Acknowledgement]:
    """The acknowledgements among one construct's metadata entries."""
    found = []
    for entry in entries:
        data = entry.get("data")
        if entry.get("type") == ACKNOWLEDGED_RULES and isinstance(data, dict):
            for acknowledged_id, reason in data.items():
                namespace, separator, rule = str(acknowledged_id).partition("::")
                plain = rule if separator and namespace.lower() == "annotation" else str(acknowledged_id)
                found.append(Acknowledgement(plain, path.strip("/"), str(reason), stack))
    return found


@dataclass(eq=False)
class Stack:
    assembly: "CloudAssembly"
    artifact_id: str
    display_name: str
    """Construct path of the stack, e.g. ``Foundation`` or ``Prod/Foundation``."""
    stack_name: str
    account: str | None
    region: str | None
    template_file: Path
    template: Mapping[str, Any]
    template_sha256: str
    paths_by_logical_id: Mapping[str, str]
    acknowledgements: tuple[Acknowledgement, ...]
    parent: "Stack | None" = None

    @cached_property
    def resources(self) -> dict[str, "Resource"]:
        out: dict[str, Resource] = {}
        for logical_id, body in (self.template.get("Resources") or {}).items():
            metadata = body.get("Metadata") or {}
            path = self.paths_by_logical_id.get(logical_id) or metadata.get("aws:cdk:path")
            out[logical_id] = Resource(
                stack=self,
                logical_id=logical_id,
                type=body.get("Type", ""),
                properties=body.get("Properties") or {},
                path=(path or f"{self.display_name}/{logical_id}").strip("/"),
                condition=body.get("Condition"),
            )
        return out

    @cached_property
    def _by_type(self) -> dict[str, list["Resource"]]:
        index: dict[str, list[Resource]] = {}
        for resource in self.resources.values():
            index.setdefault(resource.type, []).append(resource)
        return index

    def of_type(self, *types: str) -> list["Resource"]:
        return [r for t in types for r in self._by_type.get(t, [])]

    @property
    def environment(self) -> str:
        return f"aws://{self.account or UNKNOWN[0]}/{self.region or UNKNOWN[1]}"


@dataclass(frozen=True, eq=False)
class Resource:
    """One CloudFormation resource as synthesized, with the stack it lives in."""

    stack: Stack
    logical_id: str
    type: str
    properties: Mapping[str, Any]
    path: str
    """Construct path without the leading slash, as ``node.path`` gives it."""
    condition: str | None = None
    """The template Condition that decides whether CloudFormation creates the resource at all."""

    def prop(self, *keys: str | int, default: Any = None) -> Any:
        """Walk nested properties; ``default`` if any step is missing."""
        value: Any = self.properties
        for key in keys:
            if isinstance(key, int):
                if not isinstance(value, list) or key >= len(value):
                    return default
            elif not isinstance(value, dict) or key not in value:
                return default
            value = value[key]
        return value

    def target(self, value: Any) -> "Resource | None":
        """The resource ``value`` names: a Ref or GetAtt in this stack, an ARN joined from literal
        text and exactly one of them, or an output of another stack of the assembly."""
        if isinstance(value, dict) and len(value) == 1:
            producer = self.stack.assembly.output(value)
            if producer is not None:
                stack, exported = producer
                logical_id = referenced_logical_id(exported) or _joined_reference(exported)
                return stack.resources.get(logical_id) if logical_id else None
        logical_id = referenced_logical_id(value) or _joined_reference(value)
        return self.stack.resources.get(logical_id) if logical_id else None

    def is_referenced_by(self, value: Any) -> bool:
        return referenced_logical_id(value) == self.logical_id

    def __repr__(self) -> str:
        return f"Resource({self.type} {self.path})"


def referenced_logical_id(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1:
        if "Ref" in value and isinstance(value["Ref"], str):
            return value["Ref"]
        getatt = value.get("Fn::GetAtt")
        if isinstance(getatt, list) and getatt and isinstance(getatt[0], str):
            return getatt[0]
        if isinstance(getatt, str):
            return getatt.split(".", 1)[0]
    return None


def getatt(value: Any) -> tuple[str, str] | None:
    """``(logical id, attribute)`` of ``{"Fn::GetAtt": ...}``, else None."""
    if isinstance(value, dict) and list(value) == ["Fn::GetAtt"]:
        parts = value["Fn::GetAtt"]
        if isinstance(parts, str) and "." in parts:
            parts = parts.split(".", 1)
        if isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, str) for p in parts):
            return parts[0], parts[1]
    return None


def _joined_reference(value: Any) -> str | None:
    """``{"Fn::Join": ["", ["arn:...:", {"Ref": "X"}]]}`` names X; anything else names nothing."""
    if not isinstance(value, dict) or list(value) != ["Fn::Join"]:
        return None
    try:
        _, parts = value["Fn::Join"]
    except (TypeError, ValueError):
        return None
    references = [referenced_logical_id(part) for part in parts if not isinstance(part, str)]
    if len(references) == 1 and references[0] and len(parts) - 1 == sum(isinstance(p, str) for p in parts):
        return references[0]
    return None


def _intrinsics(value: Any, where: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in ("Ref", "Fn::GetAtt", "Fn::Join", "Fn::ImportValue",
                                                    "Fn::GetStackOutput"):
            yield where, value
            if "Fn::Join" not in value:
                return
        for key, item in value.items():
            yield from _intrinsics(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _intrinsics(item, (*where, index))


def is_intrinsic(value: Any) -> bool:
    """True for a value CloudFormation computes at deploy time (Ref, Fn::*)."""
    return isinstance(value, dict) and len(value) == 1 and (
        "Ref" in value or next(iter(value)).startswith("Fn::") or "Condition" in value
    )


def contains_intrinsic(value: Any) -> bool:
    if is_intrinsic(value):
        return True
    if isinstance(value, dict):
        return any(contains_intrinsic(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_intrinsic(v) for v in value)
    return False


def show(value: Any) -> str:
    """Compact rendering of a property value for evidence text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


@dataclass(eq=False)
class CloudAssembly:
    directory: Path
    stacks: list[Stack] = field(default_factory=list)
    """Every stack, nested stacks included (after their parent)."""
    extra_acknowledgements: tuple[Acknowledgement, ...] = ()
    """Acknowledgements recorded above any stack (on the app), which no stack metadata holds."""
    _memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, directory: Path | str, *, extra_acknowledgements: Iterable[Acknowledgement] = ()) -> "CloudAssembly":
        root = Path(directory)
        if not (root / "manifest.json").is_file():
            raise AssemblyError(f"{root}: no manifest.json; synthesize the app first (cdk synth)")
        assembly = cls(directory=root, extra_acknowledgements=tuple(extra_acknowledgements))
        assembly._read(root)
        return assembly

    def _read(self, directory: Path) -> None:
        artifacts = _json(directory / "manifest.json").get("artifacts") or {}
        for artifact_id, artifact in artifacts.items():
            kind = artifact.get("type")
            properties = artifact.get("properties") or {}
            if kind == NESTED_ASSEMBLY_ARTIFACT:
                self._read(directory / _field(properties, "directoryName", directory))
            elif kind == STACK_ARTIFACT:
                self._read_stack(directory, artifact_id, artifact, artifacts)

    def _read_stack(
        self, directory: Path, artifact_id: str, artifact: Mapping[str, Any], artifacts: Mapping[str, Any],
    ) -> None:
        properties = artifact.get("properties") or {}
        account, region = _environment(artifact.get("environment", ""))
        display = artifact.get("displayName") or artifact_id
        metadata: dict[str, list[dict[str, Any]]] = {
            path: list(entries) for path, entries in (artifact.get("metadata") or {}).items()
        }
        extra = artifact.get("additionalMetadataFile")
        if extra:
            for path, entries in _json(directory / extra).items():
                metadata.setdefault(path, []).extend(entries)
        nested_paths = sorted(
            (m["stack"] for path in metadata if (m := _NESTED_RESOURCE_PATH.match(path))),
            key=len, reverse=True,
        )
        owned: dict[str, dict[str, list[dict[str, Any]]]] = {path: {} for path in ["", *nested_paths]}
        for path, entries in metadata.items():
            owner = next((n for n in nested_paths if path.startswith(n + "/")), "")
            owned[owner][path] = entries
        assets: dict[str, str] | None = None

        def build(path: str, template_file: Path, name: str, parent: Stack | None) -> Stack:
            raw = _bytes(template_file)
            logical_ids: dict[str, str] = {}
            acks: list[Acknowledgement] = []
            for construct_path, items in owned[path].items():
                for entry in items:
                    kind = entry.get("type")
                    if kind == LOGICAL_ID and isinstance(entry.get("data"), str):
                        logical_ids[entry["data"]] = construct_path.strip("/")
                    elif kind == ACKNOWLEDGED_RULES:
                        acks += acknowledgements_in(construct_path, [entry], name)
            stack = Stack(
                assembly=self,
                artifact_id=artifact_id,
                display_name=name,
                stack_name=properties.get("stackName") or artifact_id if parent is None else name,
                account=account,
                region=region,
                template_file=template_file,
                template=_parse(raw, template_file),
                template_sha256=hashlib.sha256(raw).hexdigest(),
                paths_by_logical_id=logical_ids,
                acknowledgements=tuple(acks),
                parent=parent,
            )
            self.stacks.append(stack)
            for resource in stack.of_type(NESTED_STACK_TYPE):
                nonlocal assets
                if assets is None:
                    assets = _asset_sources(directory, artifacts, artifact_id)
                match = _NESTED_RESOURCE_PATH.match("/" + resource.path)
                url = show(resource.prop("TemplateURL"))
                found = _ASSET_HASH.search(url)
                source = assets.get(found.group(1)) if found else None
                if not match or source is None:
                    raise AssemblyError(
                        f"{resource.path}: nested stack template {url} is not in the assembly; "
                        "its resources cannot be checked")
                build(match["stack"], directory / source, match["stack"].strip("/"), stack)
            return stack

        build("", directory / _field(properties, "templateFile", display), display, None)

    def resources(self) -> Iterator[Resource]:
        for stack in self.stacks:
            yield from stack.resources.values()

    def of_type(self, *types: str) -> list[Resource]:
        """Resources of ``types`` in every stack of the assembly."""
        return [r for stack in self.stacks for r in stack.of_type(*types)]

    @property
    def acknowledgements(self) -> list[Acknowledgement]:
        found = [ack for stack in self.stacks for ack in stack.acknowledgements]
        return found + list(self.extra_acknowledgements)

    @property
    def template_hashes(self) -> dict[str, str]:
        return {stack.template_file.name: stack.template_sha256 for stack in self.stacks}

    def output(self, reference: Mapping[str, Any]) -> tuple[Stack, Any] | None:
        """The producing stack and value of ``{"Fn::ImportValue": name}`` or
        ``{"Fn::GetStackOutput": {"StackName": ..., "OutputName": ...}}`` within this assembly."""
        imported = reference.get("Fn::ImportValue")
        if isinstance(imported, str):
            return self._outputs[0].get(imported)
        wanted = reference.get("Fn::GetStackOutput")
        if isinstance(wanted, dict):
            found = self._outputs[1].get((wanted.get("StackName"), wanted.get("OutputName")))
            if found is not None and wanted.get("Region", found[0].region) == found[0].region:
                return found
        return None

    @cached_property
    def _outputs(self) -> tuple[dict[str, tuple[Stack, Any]], dict[tuple[Any, str], tuple[Stack, Any]]]:
        exports: dict[str, tuple[Stack, Any]] = {}
        by_name: dict[tuple[Any, str], tuple[Stack, Any]] = {}
        for stack in self.stacks:
            for name, output in (stack.template.get("Outputs") or {}).items():
                export = (output.get("Export") or {}).get("Name")
                if isinstance(export, str):
                    exports.setdefault(export, (stack, output.get("Value")))
                by_name.setdefault((stack.stack_name, name), (stack, output.get("Value")))
        return exports, by_name

    def memo(self, key: str, build: Callable[[], Any]) -> Any:
        """A value derived from the whole assembly (an index rules share), built once."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    @cached_property
    def _referrers(self) -> dict[int, list[tuple[Resource, tuple[str | int, ...]]]]:
        index: dict[int, list[tuple[Resource, tuple[str | int, ...]]]] = {}
        for resource in self.resources():
            for where, value in _intrinsics(resource.properties, ()):
                target = resource.target(value)
                if target is not None and target is not resource:
                    index.setdefault(id(target), []).append((resource, where))
        return index

    def referrers(self, resource: Resource) -> list[tuple[Resource, tuple[str | int, ...]]]:
        """Every (resource, property path) in the assembly whose value names ``resource`` by Ref, GetAtt,
        a joined ARN or another stack's output."""
        return list(self._referrers.get(id(resource), ()))

    @cached_property
    def _acknowledgements_by_id(self) -> dict[str, dict[str, Acknowledgement]]:
        index: dict[str, dict[str, Acknowledgement]] = {}
        for ack in self.acknowledgements:
            index.setdefault(ack.rule_id, {})[ack.path] = ack
        return index

    def acknowledgement_for(self, rule_id: str, path: str, pack: str) -> Acknowledgement | None:
        """The closest acknowledgement of ``rule_id`` on ``path`` or an ancestor, as CDK matches it:
        cdk-nag takes ``<rule id>``, CDK also ``<pack>::<rule id>``."""
        index = self._acknowledgements_by_id
        candidates = {**index.get(f"{pack}::{rule_id}", {}), **index.get(rule_id, {})}
        current = path
        while True:
            if current in candidates:
                return candidates[current]
            if not current:
                return None
            current = current.rsplit("/", 1)[0] if "/" in current else ""


def _asset_sources(directory: Path, artifacts: Mapping[str, Any], stack_id: str) -> dict[str, str]:
    """Asset hash to file path, from the stack's asset manifest (nested stack templates live there)."""
    sources: dict[str, str] = {}
    for artifact_id, artifact in artifacts.items():
        if artifact.get("type") != ASSET_MANIFEST_ARTIFACT or artifact_id != f"{stack_id}.assets":
            continue
        manifest = _json(directory / _field(artifact.get("properties") or {}, "file", artifact_id))
        for asset_hash, asset in (manifest.get("files") or {}).items():
            path = (asset.get("source") or {}).get("path")
            if path:
                sources[asset_hash] = path
    return sources


def _environment(env: str) -> tuple[str | None, str | None]:
    if not env.startswith("aws://"):
        return None, None
    account, _, region = env[len("aws://"):].partition("/")
    return (None if account in UNKNOWN else account), (None if region in UNKNOWN else region)


def _field(properties: Mapping[str, Any], name: str, owner: object) -> str:
    value = properties.get(name)
    if not isinstance(value, str):
        raise AssemblyError(f"{owner}: manifest entry has no {name}")
    return value


def _bytes(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except FileNotFoundError:
        raise AssemblyError(f"{file}: missing from the cloud assembly") from None


def _parse(raw: bytes, file: Path) -> Any:
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise AssemblyError(f"{file}: not valid JSON ({error})") from None


def _json(file: Path) -> Any:
    return _parse(_bytes(file), file)
