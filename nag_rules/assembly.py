"""Read-only view of a synthesized cloud assembly: stacks, resources, acknowledgements.

Rules and reports read the templates as CloudFormation will receive them (property
overrides included), once, in Python, without crossing the jsii bridge per property.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator, Mapping

STACK_ARTIFACT = "aws:cloudformation:stack"
NESTED_ASSEMBLY_ARTIFACT = "cdk:cloud-assembly"
LOGICAL_ID = "aws:cdk:logicalId"
ACKNOWLEDGED_RULES = "aws:cdk:acknowledged-rules"
UNKNOWN = ("unknown-account", "unknown-region")


class AssemblyError(Exception):
    """The directory is not a readable cloud assembly."""


@dataclass(frozen=True)
class Acknowledgement:
    """``Validations.of(construct).acknowledge(...)`` as recorded in the assembly."""

    rule_id: str
    """The acknowledged id as written, e.g. ``ISO27017-S3BucketKmsCmk``."""
    path: str
    """Construct path the acknowledgement was recorded on."""
    reason: str
    stack: str

    @property
    def pack(self) -> str:
        return self.rule_id.split("-", 1)[0] if "-" in self.rule_id else ""


@dataclass(eq=False)
class Stack:
    artifact_id: str
    display_name: str
    """Construct path of the stack, e.g. ``Foundation`` or ``Prod/Foundation``."""
    stack_name: str
    account: str | None
    region: str | None
    template_file: Path
    template: Mapping[str, Any]
    paths_by_logical_id: Mapping[str, str]
    acknowledgements: tuple[Acknowledgement, ...]
    termination_protection: bool = False

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
                path=(path or f"{self.display_name}/{logical_id}").lstrip("/"),
                deletion_policy=body.get("DeletionPolicy"),
                update_replace_policy=body.get("UpdateReplacePolicy"),
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
    deletion_policy: str | None = None
    update_replace_policy: str | None = None
    condition: str | None = None

    def prop(self, *keys: str | int, default: Any = None) -> Any:
        """Walk nested properties; ``default`` if any step is missing."""
        value: Any = self.properties
        for key in keys:
            if isinstance(key, int):
                if not isinstance(value, list) or key >= len(value):
                    return default
            elif not isinstance(value, Mapping) or key not in value:
                return default
            value = value[key]
        return value

    def target(self, value: Any) -> "Resource | None":
        """The resource of this stack that ``value`` names: a Ref, a GetAtt, or an ARN joined
        from literal text and exactly one of them."""
        logical_id = referenced_logical_id(value) or _joined_reference(value)
        return self.stack.resources.get(logical_id) if logical_id else None

    def is_referenced_by(self, value: Any) -> bool:
        return referenced_logical_id(value) == self.logical_id

    def __repr__(self) -> str:
        return f"Resource({self.type} {self.path})"


def referenced_logical_id(value: Any) -> str | None:
    if isinstance(value, Mapping) and len(value) == 1:
        if "Ref" in value and isinstance(value["Ref"], str):
            return value["Ref"]
        getatt = value.get("Fn::GetAtt")
        if isinstance(getatt, list) and getatt and isinstance(getatt[0], str):
            return getatt[0]
        if isinstance(getatt, str):
            return getatt.split(".", 1)[0]
    return None


def _joined_reference(value: Any) -> str | None:
    """``{"Fn::Join": ["", ["arn:...:", {"Ref": "X"}]]}`` names X; anything else names nothing."""
    if not isinstance(value, Mapping) or list(value) != ["Fn::Join"]:
        return None
    try:
        _, parts = value["Fn::Join"]
    except (TypeError, ValueError):
        return None
    references = [referenced_logical_id(part) for part in parts if not isinstance(part, str)]
    if len(references) == 1 and references[0] and len(parts) - 1 == sum(isinstance(p, str) for p in parts):
        return references[0]
    return None


def is_intrinsic(value: Any) -> bool:
    """True for a value CloudFormation computes at deploy time (Ref, Fn::*)."""
    return isinstance(value, Mapping) and len(value) == 1 and (
        "Ref" in value or next(iter(value)).startswith("Fn::") or "Condition" in value
    )


def contains_intrinsic(value: Any) -> bool:
    if is_intrinsic(value):
        return True
    if isinstance(value, Mapping):
        return any(contains_intrinsic(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_intrinsic(v) for v in value)
    return False


def show(value: Any) -> str:
    """Compact rendering of a property value for evidence text."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


@dataclass
class CloudAssembly:
    directory: Path
    stacks: list[Stack] = field(default_factory=list)
    extra_acknowledgements: list[Acknowledgement] = field(default_factory=list)

    @classmethod
    def load(cls, directory: Path | str) -> "CloudAssembly":
        root = Path(directory)
        manifest = root / "manifest.json"
        if not manifest.is_file():
            raise AssemblyError(f"{root}: no manifest.json; synthesize the app first (cdk synth)")
        assembly = cls(directory=root)
        assembly._read(root)
        return assembly

    def _read(self, directory: Path) -> None:
        manifest = _json(directory / "manifest.json")
        for artifact_id, artifact in (manifest.get("artifacts") or {}).items():
            kind = artifact.get("type")
            properties = artifact.get("properties") or {}
            if kind == NESTED_ASSEMBLY_ARTIFACT:
                self._read(directory / properties["directoryName"])
            elif kind == STACK_ARTIFACT:
                self.stacks.append(_stack(directory, artifact_id, artifact))

    def resources(self) -> Iterator[Resource]:
        for stack in self.stacks:
            yield from stack.resources.values()

    @property
    def acknowledgements(self) -> list[Acknowledgement]:
        found = [ack for stack in self.stacks for ack in stack.acknowledgements]
        return found + list(self.extra_acknowledgements)

    def acknowledgement_for(self, rule_id: str, path: str, pack: str) -> Acknowledgement | None:
        """The closest acknowledgement of ``rule_id`` on ``path`` or an ancestor, as CDK matches it."""
        candidates = {
            ack.path: ack for ack in self.acknowledgements
            if normalise_rule_id(ack.rule_id, pack) == rule_id
        }
        current = path
        while True:
            if current in candidates:
                return candidates[current]
            if not current:
                return None
            current = current.rsplit("/", 1)[0] if "/" in current else ""


def normalise_rule_id(acknowledged_id: str, pack: str) -> str:
    """``Annotation::X`` and ``<pack>::X`` both acknowledge rule ``X`` of ``pack``."""
    if "::" in acknowledged_id:
        namespace, rule = acknowledged_id.split("::", 1)
        if namespace.lower() == "annotation" or namespace == pack:
            return rule
        return acknowledged_id
    return acknowledged_id


def without_annotation_prefix(acknowledged_id: str) -> str:
    """CDK stores ``acknowledge(id="X")`` as ``Annotation::X``."""
    namespace, separator, rule = acknowledged_id.partition("::")
    return rule if separator and namespace.lower() == "annotation" else acknowledged_id


def _stack(directory: Path, artifact_id: str, artifact: Mapping[str, Any]) -> Stack:
    properties = artifact.get("properties") or {}
    account, region = _environment(artifact.get("environment", ""))
    metadata: dict[str, list[dict[str, Any]]] = dict(artifact.get("metadata") or {})
    extra = artifact.get("additionalMetadataFile")
    if extra:
        for path, entries in _json(directory / extra).items():
            metadata.setdefault(path, []).extend(entries)
    paths: dict[str, str] = {}
    acks: list[Acknowledgement] = []
    display = artifact.get("displayName") or artifact_id
    for path, entries in metadata.items():
        for entry in entries:
            if entry.get("type") == LOGICAL_ID and isinstance(entry.get("data"), str):
                paths[entry["data"]] = path.lstrip("/")
            elif entry.get("type") == ACKNOWLEDGED_RULES and isinstance(entry.get("data"), dict):
                for rule_id, reason in entry["data"].items():
                    acks.append(Acknowledgement(
                        rule_id=without_annotation_prefix(rule_id),
                        path=path.lstrip("/"),
                        reason=str(reason),
                        stack=display,
                    ))
    template_file = directory / properties["templateFile"]
    return Stack(
        artifact_id=artifact_id,
        display_name=display,
        stack_name=properties.get("stackName") or artifact_id,
        account=account,
        region=region,
        template_file=template_file,
        template=_json(template_file),
        paths_by_logical_id=paths,
        acknowledgements=tuple(acks),
        termination_protection=bool(properties.get("terminationProtection")),
    )


def _environment(env: str) -> tuple[str | None, str | None]:
    if not env.startswith("aws://"):
        return None, None
    account, _, region = env[len("aws://"):].partition("/")
    return (None if account in UNKNOWN else account), (None if region in UNKNOWN else region)


def _json(file: Path) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AssemblyError(f"{file}: missing from the cloud assembly") from None
    except json.JSONDecodeError as error:
        raise AssemblyError(f"{file}: not valid JSON ({error})") from None
