"""Machine-readable command output: `--json` prints one JSON document on stdout.

Every command that prints results takes `--json` (`json_option`) and hands its results, as
plain values, to `echo_json`. Numbers stay numbers (numpy and pandas scalars included);
a value that is not finite (NaN, a failed run's infinite implausibility) becomes `null`,
because bare `NaN` is not JSON and `json.loads` elsewhere (jq, JavaScript) refuses it.
Dates and times become ISO 8601 text, paths text, dataclasses objects, tables (pandas,
Arrow) lists of row objects. Messages
for people (progress, notes, "wrote ...") go to stderr, so `cmd --json | jq` reads only
the document.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Callable, Mapping
from pathlib import PurePath
from typing import Any

import rich_click as click

JSON_HELP = "Print one JSON object on stdout instead of tables (messages go to stderr)"


def plain(value: Any) -> Any:
    """`value` as JSON values: dicts, lists, str, int, float (finite), bool or None."""
    if value is None or isinstance(value, bool | str):
        return value
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas' missing values (NaT is a date)
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    return _library_value(value)


def _library_value(value: Any) -> Any:
    # numpy and pandas values without importing either here (plumbing stays light)
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict) and hasattr(value, "columns"):  # a pandas DataFrame: its rows
        return plain(to_dict(orient="records"))
    if hasattr(value, "to_pylist") and hasattr(value, "schema"):  # an Arrow table: its rows
        return plain(value.to_pylist())
    if hasattr(value, "tolist"):  # numpy scalars (datetime64 too) and arrays, pandas Series
        return plain(value.tolist())
    if hasattr(value, "model_dump"):  # pydantic models
        return plain(value.model_dump(mode="json"))
    raise TypeError(f"cannot write a {type(value).__name__} as JSON")


def dumps(value: Any) -> str:
    """The JSON text of `value` (see `plain`), indented, UTF-8 characters kept."""
    return json.dumps(plain(value), indent=2, ensure_ascii=False, allow_nan=False)


def echo_json(value: Any) -> None:
    """Print `value` as one JSON document on stdout."""
    click.echo(dumps(value))


def json_option(schema: str = "") -> Callable:
    """The `--json` flag (parameter `as_json`); `schema` states the document's shape."""
    text = JSON_HELP + (f": {schema}" if schema else ".")
    return click.option("--json", "as_json", is_flag=True, help=text)
