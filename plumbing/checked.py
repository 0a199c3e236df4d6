"""A checked number: the one rule for every number the product reads, before any work.

Scenarios, `--set`, sweeps, moves files, observations, profiles, curated tables and CLI
options all hold numbers a user (or another program) wrote. Each is refused here unless it
is finite, of the stated type (an integer field takes no `true` and no `"12"`; a number
field takes no text) and inside its stated range, so no command runs on `inf`, prints NaN
or fails deep inside with `OverflowError` or `decimal.InvalidOperation`.

- `CheckedModel`: the pydantic base of the files users write (strict types, no inf/NaN,
  no magnitude above `MAX_MAGNITUDE`);
- `check_number` / `parse_number`: one value (a CSV cell, a JSON field, a text option);
- `check_column`: a column of a table (Parquet, CSV) at once;
- `Number`: the click option type over `parse_number`.
"""

from __future__ import annotations

import math
import re
from functools import cache
from numbers import Real
from types import UnionType
from typing import Union, get_args, get_origin

import numpy as np
import rich_click as click
from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

MAX_MAGNITUDE = 1e18
"""Largest magnitude of any number read without a tighter range: a thousand times above
the largest a scenario holds (world GDP ~1.1e14 USD, IMF WEO 2024; H100 dense FP8 peak
~2e15 FLOP/s, NVIDIA datasheet), far below where float sums overflow or `decimal`
formatting fails."""

SEED_MAX = 2**32 - 1
"""Seeds are unsigned 32-bit integers, the range numpy's `SeedSequence.generate_state`
gives the replicate seeds (`simulator.calibration.evaluate`) and Parquet's int64 holds."""

MAX_NUMBER_TEXT = 64
"""Longest text read as one number (a double needs at most ~25 characters)."""

_INTEGER = re.compile(r"[+-]?[0-9][0-9_]*")
_DECIMAL = re.compile(r"[+-]?([0-9][0-9_]*(\.[0-9_]*)?|\.[0-9][0-9_]*)([eE][+-]?[0-9]+)?")


def _shown(bound: float) -> str:
    return f"{bound:,}" if isinstance(bound, int) or float(bound).is_integer() and abs(
        bound) < 1e15 else f"{bound:g}"


def _range_text(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return f"between -{MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g}"
    if high is None:
        return f">= {_shown(low)}"
    if low is None:
        return f"<= {_shown(high)}"
    return f"between {_shown(low)} and {_shown(high)}"


def _problem(value: object, integer: bool, low: float | None, high: float | None) -> str | None:
    """What is wrong with `value` as a number of the stated kind and range, or None."""
    kind = "an integer" if integer else "a number"
    valid = "a valid integer" if integer else "a valid number"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.number)):
        shown = ("a flag" if isinstance(value, (bool, np.bool_)) else
                 "text" if isinstance(value, str) else type(value).__name__)
        return f"expected {valid}, got {value!r} ({shown})"
    if integer and not isinstance(value, (int, np.integer)):
        return f"expected {valid}, got {value!r}"
    if isinstance(value, (float, np.floating)) and not math.isfinite(value):
        return f"expected a finite number, got {value!r}"
    lowest = -MAX_MAGNITUDE if low is None else low
    highest = MAX_MAGNITUDE if high is None else high
    if not lowest <= value <= highest:
        return f"expected {kind} {_range_text(low, high)}, got {value!r}"
    return None


def check_number(value: object, what: str = "value", *, integer: bool = False,
                 low: float | None = None, high: float | None = None) -> float | int:
    """`value` as a checked number: finite, of the stated type, within [low, high].

    Args:
        value: What was read (a Python or numpy number; anything else is refused).
        what: How the message names it (a column, a key).
        integer: Whether only whole numbers of an integer type are allowed.
        low: Smallest allowed value (None: -MAX_MAGNITUDE).
        high: Largest allowed value (None: MAX_MAGNITUDE).

    Raises:
        ValueError: naming `what`, what was expected and what was given.
    """
    problem = _problem(value, integer, low, high)
    if problem:
        raise ValueError(f"{what}: {problem}" if what else problem)
    return int(value) if integer else float(value)


def parse_number(text: str, what: str = "value", *, integer: bool = False,
                 low: float | None = None, high: float | None = None) -> float | int:
    """A checked number written as text (a CSV cell, a command-line value).

    Only ASCII digits in plain decimal or exponent form: no `inf`, `nan`, unicode digits
    (Python's int() reads '١٢'), hexadecimal or text longer than MAX_NUMBER_TEXT.

    Raises:
        ValueError: as `check_number`, or text that is not a number.
    """
    kind = "an integer" if integer else "a number"
    stripped = text.strip()
    pattern = _INTEGER if integer else _DECIMAL
    where = f"{what}: " if what else ""
    if len(stripped) > MAX_NUMBER_TEXT:
        raise ValueError(f"{where}expected {kind} of at most {MAX_NUMBER_TEXT} characters, "
                         f"got {len(stripped)} characters")
    if not pattern.fullmatch(stripped):
        raise ValueError(f"{where}expected {kind} written with ASCII digits, got {text!r}")
    value = int(stripped) if integer else float(stripped)
    return check_number(value, what, integer=integer, low=low, high=high)


def check_column(values: object, what: str, *, low: float | None = None,
                 high: float | None = None, nulls: bool = False) -> np.ndarray:
    """A table column as float64, every value finite and within [low, high].

    Args:
        values: The column (a numpy array, an Arrow array, a list).
        what: How the message names it ("profile.parquet: column bits_per_byte").
        low: Smallest allowed value (None: -MAX_MAGNITUDE).
        high: Largest allowed value (None: MAX_MAGNITUDE).
        nulls: Whether missing values (NaN or null) are allowed.

    Raises:
        ValueError: the first bad value, its row and how many there are.
    """
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{what}: expected numbers, got values of another type") from None
    missing = np.isnan(array)
    lowest = -MAX_MAGNITUDE if low is None else low
    highest = MAX_MAGNITUDE if high is None else high
    with np.errstate(invalid="ignore"):
        bad = ~missing & ~((array >= lowest) & (array <= highest))
    if not nulls:
        bad |= missing
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{what}: expected finite numbers {_range_text(low, high)}"
                         f"{'' if nulls else ' (none missing)'}; row {row} holds "
                         f"{float(array[row])!r} ({int(bad.sum())} bad of {len(array)})")
    return array


@cache
def _cached_parts(annotation: object) -> tuple[object, tuple, frozenset]:
    origin, args = get_origin(annotation), get_args(annotation)
    options = args if origin in (Union, UnionType) else (annotation,)
    return origin, args, frozenset(o for o in options if o is not type(None))


def _parts(annotation: object) -> tuple[object, tuple, frozenset]:
    """(origin, arguments, the types a union allows) of an annotation.

    Asked for every field of every validation, so cached where the annotation can be a key.
    """
    try:
        return _cached_parts(annotation)
    except TypeError:  # an annotation holding unhashable metadata
        return _cached_parts.__wrapped__(annotation)


def _numeric(annotation: object) -> bool:
    # A number field: int or float, alone or optional; a field that also takes text or a
    # flag (str | float) is left to pydantic.
    kinds = _parts(annotation)[2]
    return bool(kinds) and kinds <= {int, float}


def _refuse_lax(value: object, annotation: object, where: str = "") -> None:
    """Refuse a flag or a text where `annotation` wants a number, at any depth."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return  # validated by its own model
    if _numeric(annotation):
        integer = _parts(annotation)[2] == {int}
        problem = None if value is None else _problem(value, integer, None, None)
        if problem:
            raise ValueError(problem.replace(", got", f"{where}, got", 1))
        return
    origin, args, _ = _parts(annotation)
    if origin in (Union, UnionType):
        for option in args:
            if get_origin(option) in (list, tuple, dict):
                _refuse_lax(value, option, where)
    elif origin in (list, tuple) and isinstance(value, (list, tuple)) and args:
        for index, item in enumerate(value):
            item_type = args[0] if origin is list or args[-1] is Ellipsis else (
                args[min(index, len(args) - 1)])
            _refuse_lax(item, item_type, f"{where} (item {index})")
    elif origin is dict and isinstance(value, dict) and len(args) == 2:
        for key, item in value.items():
            _refuse_lax(item, args[1], f"{where} (at {key})")


class CheckedModel(BaseModel):
    """Base of every pydantic model of a file users write (scenario, sweep, parameters).

    Unknown keys refused; no inf or NaN; no flag (`true`) or text (`"12"`) where a number
    is wanted, at any depth (pydantic's lax mode would read them as 1 and 12); no number
    above MAX_MAGNITUDE, even where a field states only a lower bound. Lax otherwise, so
    TOML arrays still fill tuple fields.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_numbers(cls, value: object, info: ValidationInfo) -> object:
        annotation = _number_annotation(cls, info.field_name)
        if annotation is not None:
            _refuse_lax(value, annotation)
        return value


@cache
def _number_annotation(model: type[BaseModel], name: str) -> object | None:
    """The field's annotation where it holds numbers outside nested models, else None.

    Text, flag, choice and nested-model fields need no walk; knowing it once per field
    keeps the check cheap (every batch point validates a whole scenario).
    """
    annotation = model.model_fields[name].annotation

    def holds_numbers(node: object) -> bool:
        if isinstance(node, type) and issubclass(node, BaseModel):
            return False
        return node in (int, float) or any(holds_numbers(a) for a in get_args(node)
                                           if a is not Ellipsis)

    return annotation if holds_numbers(annotation) else None


class Number(click.ParamType):
    """A click option type: a checked number (`--temperature`, `--seed`, `--threads`)."""

    def __init__(self, *, integer: bool = False, low: float | None = None,
                 high: float | None = None) -> None:
        self.integer, self.low, self.high = integer, low, high
        self.name = ("integer" if integer else "number") + f" {_range_text(low, high)}"

    def convert(self, value, param, ctx):  # noqa: D102 (click's interface)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)  # a default given as a number goes through the same check
        try:
            return parse_number(value, "", integer=self.integer, low=self.low,
                                high=self.high)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
