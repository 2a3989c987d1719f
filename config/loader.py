"""Loads one environment from the environments file and turns every problem into one line."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from config.settings import CrossFieldError, EnvironmentSettings

DEFAULT_FILE = Path(__file__).with_name("environments.toml")
DEFAULT_ENVIRONMENT = "default"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the configuration, enough to fix it without reading code."""

    source: str
    field: str
    value: Any
    reason: str
    allowed: str
    clause: str | None = None

    def line(self) -> str:
        value = "(missing)" if self.value is _MISSING else repr(self.value)
        text = f"{self.source}: {self.field} = {value}: {self.reason}; allowed: {self.allowed}"
        if self.clause:
            text += f" (protects clause {self.clause})"
        return text


class ConfigurationError(Exception):
    """Raised with every problem found; ``str()`` is one line per problem."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(problem.line() for problem in problems))


_MISSING = object()


def load_environment(name: str = DEFAULT_ENVIRONMENT, path: Path | str | None = None) -> EnvironmentSettings:
    """Return the validated settings of environment ``name`` or raise ConfigurationError."""
    file = Path(path) if path else DEFAULT_FILE
    source = _display(file)
    environments = _read(file, source)
    if name not in environments:
        raise ConfigurationError([Problem(
            source, "env (-c env=NAME)", name, "unknown environment",
            ", ".join(sorted(environments)) or "none defined in the file",
        )])
    raw = environments[name]
    if not isinstance(raw, dict):
        raise ConfigurationError([Problem(
            source, name, raw, "an environment must be a table", f"[{name}] with its fields",
        )])
    try:
        return EnvironmentSettings.model_validate(raw)
    except ValidationError as error:
        raise ConfigurationError(problems_of(error, raw, source, name)) from None


def environment_names(path: Path | str | None = None) -> list[str]:
    file = Path(path) if path else DEFAULT_FILE
    return sorted(_read(file, _display(file)))


def _read(file: Path, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError([Problem(
            source, "config (-c config=PATH)", str(file), "file not found", "a readable TOML file",
        )]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigurationError([Problem(
            source, "(file)", str(file), f"not valid TOML: {error}", "a TOML file of [environment] tables",
        )]) from None


def _display(file: Path) -> str:
    try:
        return str(file.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(file)


def problems_of(error: ValidationError, raw: dict[str, Any], source: str, table: str,
                model: type[BaseModel] = EnvironmentSettings, defined_in: str = "config/settings.py") -> list[Problem]:
    """One Problem per validation error of ``model`` read from ``table`` of ``source``."""
    fields = model.model_fields
    problems: list[Problem] = []
    for item in error.errors(include_url=False):
        location = list(item["loc"])
        cause = (item.get("ctx") or {}).get("error")
        if isinstance(cause, CrossFieldError):
            location, value, reason = [cause.field], cause.value, cause.reason
        else:
            value = item.get("input", _MISSING) if location else raw
            reason = _reason(item)
        top = str(location[0]) if location else ""
        extra = (fields[top].json_schema_extra or {}) if top in fields else {}
        if item["type"] == "extra_forbidden":
            allowed = "one of the fields " + ", ".join(fields)
            reason = "unknown field"
        else:
            allowed = str(extra.get("allowed", f"see {defined_in}"))
        if item["type"] == "missing":
            value = _MISSING
        problems.append(Problem(
            source=source,
            field=f"{table}." + _dotted(location),
            value=value,
            reason=reason,
            allowed=allowed,
            clause=extra.get("clause"),
        ))
    return problems


def _reason(item: dict[str, Any]) -> str:
    if item["type"] == "missing":
        return "required field is missing"
    if item["type"] == "value_error":
        return str((item.get("ctx") or {}).get("error", item["msg"]))
    return item["msg"].rstrip(".").lower()


def _dotted(location: list[Any]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
