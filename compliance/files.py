"""Writing a set of report files so that a failure leaves the previous set untouched."""

from __future__ import annotations

import os
from pathlib import Path


def write_together(directory: Path, contents: dict[str, tuple[str, str]]) -> list[Path]:
    """Write each name's (text, encoding) beside its target, then move them all into place."""
    staged = []
    for name, (content, encoding) in contents.items():
        temporary = directory / f".{name}.tmp"
        temporary.write_text(content, encoding=encoding)
        staged.append((temporary, directory / name))
    for temporary, target in staged:
        os.replace(temporary, target)
    return [target for _, target in staged]
