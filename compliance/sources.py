"""Where in this project's Python source a construct was created, for SARIF's physical locations.

A construct path is followed from the app down: its stack's ID as the literal ``id`` argument of a
call in app.py (then stacks/, constructs_lib/), each next ID as a literal ``id`` argument inside the
class that call created, for as long as that class is defined here. The deepest ID found wins; IDs
built at run time (f-strings, loops, CDK's own children such as ``Resource``) end the walk there.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

SOURCE_DIRECTORIES = ("stacks", "constructs_lib")
APP_FILE = "app.py"
_ID_KEYWORDS = ("id", "construct_id")


@dataclass(frozen=True)
class _Creation:
    construct_id: str
    callee: str
    file: str
    line: int


@dataclass(frozen=True)
class _Class:
    bases: tuple[str, ...]
    creations: tuple[_Creation, ...]


class _Index:
    def __init__(self, root: Path) -> None:
        self.classes: dict[str, _Class] = {}
        self.top_level: list[_Creation] = []
        files = [root / APP_FILE]
        for directory in SOURCE_DIRECTORIES:
            files += sorted((root / directory).glob("*.py"))
        for file in files:
            if file.is_file():
                self._read(file, file.relative_to(root).as_posix())

    def _read(self, file: Path, relative: str) -> None:
        try:
            module = ast.parse(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, SyntaxError):
            return
        classes = [node for node in ast.walk(module) if isinstance(node, ast.ClassDef)]
        inside = set()
        for cls in classes:
            creations = tuple(_creations(cls, relative))
            inside.update(creations)
            self.classes.setdefault(cls.name, _Class(tuple(_name(base) for base in cls.bases), creations))
        self.top_level += [c for c in _creations(module, relative) if c not in inside]

    def locate(self, path: str) -> tuple[str, int] | None:
        ids = [part for part in path.split("/") if part]
        if not ids:
            return None
        found = next((c for c in self.top_level if c.construct_id == ids[0]), None)
        if found is None:
            return None
        for construct_id in ids[1:]:
            deeper = self._in_class(found.callee, construct_id, set())
            if deeper is None:
                break
            found = deeper
        return found.file, found.line

    def _in_class(self, name: str, construct_id: str, seen: set[str]) -> _Creation | None:
        cls = self.classes.get(name)
        if cls is None or name in seen:
            return None
        seen.add(name)
        own = next((c for c in cls.creations if c.construct_id == construct_id), None)
        if own is not None:
            return own
        for base in cls.bases:
            inherited = self._in_class(base, construct_id, seen)
            if inherited is not None:
                return inherited
        return None


def _creations(tree: ast.AST, file: str) -> Iterable[_Creation]:
    """Calls of the form ``Something(scope, "Literal", ...)``, in source order."""
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    for call in sorted(calls, key=lambda node: (node.lineno, node.col_offset)):
        literal = call.args[1] if len(call.args) > 1 else next(
            (k.value for k in call.keywords if k.arg in _ID_KEYWORDS), None)
        if isinstance(literal, ast.Constant) and isinstance(literal.value, str) and literal.value:
            yield _Creation(literal.value, _name(call.func), file, literal.lineno)


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


@lru_cache(maxsize=4)
def _index(root: Path) -> _Index:
    return _Index(root)


def find_source(root: Path | str, construct_path: str) -> tuple[str, int] | None:
    """The file (relative to ``root``, POSIX) and line that created the construct, or None."""
    return _index(Path(root).resolve()).locate(construct_path)


def source_locations(root: Path | str, construct_paths: Iterable[str]) -> dict[str, dict[str, Any]]:
    """``{construct path: {"uri": file, "line": line}}`` for every path whose source is found."""
    found = {}
    for path in construct_paths:
        location = find_source(root, path)
        if location is not None:
            found[path] = {"uri": location[0], "line": location[1]}
    return found
