"""Scenario overrides: `--set dotted.key=value`, validated like the file itself.

A key is a dotted path into the scenario document: `months`, `compute.gpu_usd_per_hour`,
`technology.token_premium_scale`, `parameters.beta_price`. A list of tables is indexed by
an item's `name` (`firms.Frontier US.cash_usd`) or its position (`firms.0.cash_usd`). A
value is read as a TOML value (`1e9`, `true`, `[{ region = "eu", start_month = 0 }]`);
text that is not valid TOML stays a string (`firms.0.home=DE`).

    apply_overrides(tomllib.loads(text), ["firms.Frontier US.cash_usd=1e9"], "s.toml", Scenario)

Problems are reported as `file: dotted.key: what was expected`, the key as the user
wrote it, every problem at once (InputError, exit code 2 in the CLI). Sweep variants and
the batch engine's design points use the same keys (`simulator.batch.sweep`).

The model a document is validated as is the caller's (`Scenario`, or the class of the
scenario being changed): `simulator.scenario` reads `--set` through this module, so this
module does not import it.
"""

from __future__ import annotations

import copy
import math
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from plumbing.errors import InputError
from simulator.parameters import parameter_names
from simulator.scenario.toml_check import format_problems, problems_error

Model = TypeVar("Model", bound=BaseModel)


def parse_assignment(text: str) -> tuple[str, Any]:
    """`KEY=VALUE` -> (key, value), the value read as TOML (else kept as text)."""
    key, sep, raw = text.partition("=")
    key, raw = key.strip(), raw.strip()
    if not sep or not key:
        raise InputError(f"--set {text!r}: expected KEY=VALUE, such as "
                         "compute.gpu_usd_per_hour=3.5")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key, value


def _step(node: Any, part: str, path: tuple) -> tuple[Any, Any]:
    """The container that holds `part` and the key to use in it."""
    if isinstance(node, list):
        if part.isdigit() and int(part) < len(node):
            return node, int(part)
        named = [i for i, item in enumerate(node)
                 if isinstance(item, dict) and item.get("name") == part]
        if named:
            return node, named[0]
        names = [str(item["name"]) for item in node if isinstance(item, dict) and "name" in item]
        listed = f"{', '.join(names)}, or " if names else ""
        raise ValueError(f"no list item named {part!r}; expected one of: {listed}a position "
                         f"0..{len(node) - 1}")
    if isinstance(node, dict):
        return node, part
    raise ValueError(f"{part!r} is inside a value, not a table")


def set_key(document: dict, path: str, value: Any) -> tuple:
    """Set a dotted `path` in a scenario document; returns its location (`('firms', 0, ...)`).

    Tables on the way are created; ints stay ints (a sampled 3.7 becomes 4).
    """
    node: Any = document
    loc: tuple = ()
    parts = path.split(".")
    for part in parts[:-1]:
        holder, key = _step(node, part, loc)
        if isinstance(holder, dict) and key not in holder:
            holder[key] = {}
        node, loc = holder[key], (*loc, key)
    holder, key = _step(node, parts[-1], loc)
    old = holder.get(key) if isinstance(holder, dict) else holder[key]
    if (isinstance(old, int) and not isinstance(old, bool) and isinstance(value, float)
            and math.isfinite(value)):  # inf stays inf, for validation to refuse by name
        value = round(value)
    holder[key] = value
    return (*loc, key)


def uncertain_path(key: str) -> str:
    """The scenario path of a sweep key: a bare parameter name means `parameters.X`."""
    if key == "token_premium_scale":
        return "technology.token_premium_scale"
    return f"parameters.{key}" if key in parameter_names() else key


def check_overrides(document: dict, overrides: dict[str, Any], path: str | Path,
                    label: Callable[[str], str] = str, *,
                    model: type[Model]) -> tuple[Model | None, list[str]]:
    """Apply `overrides` to a copy of `document` and validate: (scenario, []) or (None, problems).

    `label(key)` is how a key is named in a problem (a sweep says `variants[0].overrides.K`);
    `model` is what the document is validated as (`Scenario`).
    """
    document = copy.deepcopy(document)
    problems, rename = [], {}
    for key, value in overrides.items():
        try:
            rename[set_key(document, key, value)] = label(key)
        except ValueError as exc:  # no such place in the document: the others still count
            problems.append(f"{path}: {label(key)}: {exc}")
    try:
        scenario = model.model_validate({**document, "source": str(path)})
    except ValidationError as exc:
        return None, problems + format_problems(path, exc, model, rename)
    return (None, problems) if problems else (scenario, [])


def apply_overrides(document: dict, assignments: Iterable[str] | dict[str, Any],
                    path: str | Path, model: type[Model]) -> Model:
    """A validated `model` (`Scenario`): the raw TOML `document` with `KEY=VALUE` overrides."""
    if not isinstance(assignments, dict):
        assignments = dict(parse_assignment(text) for text in assignments)
    scenario, problems = check_overrides(document, assignments, path, model=model)
    if problems:
        raise problems_error("scenario", problems)
    return scenario


def apply(base: Model, overrides: dict[str, Any]) -> Model:
    """A new scenario: `base` with dotted `overrides` applied and validated again.

    Raises InputError listing every problem (keys named as given).
    """
    document = base.model_dump(mode="python", exclude={"source"})
    return apply_overrides(document, overrides, base.source or base.name, type(base))
