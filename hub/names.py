"""Names that become paths (regions, versions, bundle names) are checked against an allow-list."""

from __future__ import annotations

import re
from pathlib import Path

from plumbing.errors import InputError

# Letters, digits, '.', '_' and '-'; must start with a letter or digit, so '..', '/x',
# empty names and NUL bytes are all refused.
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def check_name(kind: str, value: str) -> str:
    """Return `value` if it is a safe path component, else raise InputError naming `kind`."""
    if not isinstance(value, str) or not NAME_PATTERN.fullmatch(value) or ".." in value:
        raise InputError(
            f"{kind} {value!r} is not allowed: expected 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return value


def is_inside(folder: Path, name: str, depth: int = 1) -> bool:
    """Whether a listed file name is a plain name inside `folder` (judged without opening it).

    `name` is at most `depth` safe names joined by `/` (no `..`, not absolute, no empty
    part), and no folder or file on the way is a link that could lead elsewhere.
    """
    parts = name.split("/") if isinstance(name, str) else []
    if not 1 <= len(parts) <= depth or not all(
            NAME_PATTERN.fullmatch(part) and ".." not in part for part in parts):
        return False
    path = Path(folder)
    for part in parts:
        path = path / part
        if path.is_symlink():
            return False
    return True
