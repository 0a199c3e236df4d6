"""Checking files users write: TOML parsed with tomllib, problems reported by dotted key.

Every problem becomes one line `file: dotted.key: what was expected`, so a user sees all
of them at once and can find each in the file (scenarios, sweeps, `--set` overrides and
the TUI's scenario form report the same way).
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import get_args

from pydantic import BaseModel, ValidationError

from plumbing.checked_files import read_user_text
from plumbing.errors import InputError


def require_unique(kind: str, names: list[str]) -> None:
    """Raise ValueError naming every `kind` name that occurs more than once."""
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"expected unique {kind} names, repeated: {', '.join(repeated)}")


def dotted(loc: tuple) -> str:
    """TOML-style key path: `firms[0].strategy`, odd keys quoted (`parameters."a b"`)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        key = str(part)
        # json.dumps escapes control characters, so one problem stays one line.
        key = key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)
        out += f".{key}" if out else key
    return out or "(top level)"


def _keys_at(loc: tuple, model: type[BaseModel]) -> list[str]:
    """Keys allowed in the table at `loc`, found by walking the models' annotations."""
    for part in loc:
        if isinstance(part, int) or part not in model.model_fields:
            continue
        nested = _model_in(model.model_fields[part].annotation)
        if nested is None:
            break
        model = nested
    return [name for name in model.model_fields if name != "source"]


def _model_in(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def _expected(error: dict, model: type[BaseModel]) -> str:
    kind, message = error["type"], error["msg"]
    if kind == "extra_forbidden":
        return "unknown key; expected one of: " + ", ".join(_keys_at(error["loc"][:-1], model))
    if kind == "missing":
        return "missing; expected this key to be set"
    if message.startswith("Value error, "):
        return message.removeprefix("Value error, ")
    if message.startswith("Input should be "):
        return "expected " + message.removeprefix("Input should be ")
    return f"expected a valid value: {message}"


def problem_locations(error: ValidationError) -> list[tuple]:
    """Each problem's location with the user's keys only (validator tags dropped)."""
    return [tuple(p for p in item["loc"]
                  if not (isinstance(p, str) and p.startswith("function-")))
            for item in error.errors()]


def format_problems(path: str | Path, error: ValidationError, model: type[BaseModel],
                    rename: dict[tuple, str] | None = None) -> list[str]:
    """One line per problem: `file: dotted.key: what was expected` (for the CLI and the TUI).

    `model` is the pydantic model that was validated; it names the allowed keys when a key
    is unknown. `rename` maps a location prefix to the key the user wrote for it (a
    `--set firms.Frontier.cash_usd` override reported under that name, not `firms[0]`).
    """
    lines = []
    for loc, item in zip(problem_locations(error), error.errors(), strict=True):
        name = dotted(loc)
        for prefix, key in (rename or {}).items():
            if loc[: len(prefix)] == prefix:
                name = key + dotted(loc[len(prefix):]).removeprefix("(top level)")
                break
        lines.append(f"{path}: {name}: {_expected(item, model)}")
    return lines


def problems_error(what: str, problems: list[str]) -> InputError:
    """One InputError listing every problem: `bad scenario (2 problems):` then one a line."""
    count = f"{len(problems)} problem" + ("s" if len(problems) > 1 else "")
    return InputError(f"bad {what} ({count}):\n" + "\n".join(problems))


MAX_DEPTH = 32
"""Deepest nesting of tables and arrays a file may have (a scenario nests 5 deep)."""


def _depth(node: object) -> int:
    deepest, stack = 0, [(node, 0)]
    while stack:  # iterative: the depth being checked is what recursion cannot take
        node, level = stack.pop()
        deepest = max(deepest, level)
        children = node.values() if isinstance(node, dict) else (
            node if isinstance(node, list) else ())
        stack.extend((child, level + 1) for child in children)
    return deepest


def parse_toml(text: str, path: str | Path) -> dict:
    """A TOML document as a dict; InputError names the file when it is not valid TOML.

    Raises:
        InputError: not TOML, or tables and arrays nested deeper than MAX_DEPTH.
    """
    too_deep = InputError(f"{path}: tables and arrays nested deeper than the limit of "
                          f"{MAX_DEPTH} levels")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise too_deep from None
    if _depth(document) > MAX_DEPTH:
        raise too_deep
    return document


def validate_toml(text: str, path: str | Path, model: type[BaseModel], what: str) -> BaseModel:
    """Parse TOML text into `model` (with `source` = path); InputError lists every problem.

    `what` names the kind of file in the message ("scenario", "sweep").
    """
    document = parse_toml(text, path)
    try:
        return model.model_validate({**document, "source": str(path)})
    except ValidationError as exc:
        raise problems_error(what, format_problems(path, exc, model)) from None


def read_user_file(path: Path, what: str) -> str:
    """The text of a file a user wrote; InputError names it and what is wrong.

    A regular UTF-8 file within the size limit (`plumbing.checked_files.read_user_text`).
    """
    return read_user_text(path, what)
