"""Typed rows from the curated CSV tables shipped in `data/` (prices, talent, regulation).

Each table maps to a frozen dataclass: the CSV header must name exactly its fields, and each
cell is converted by the field's type (`str`, `int`, `float`, `float | None`, `str | None`;
an empty cell is None where allowed). Every row carries its source: `source_publisher`,
`source_title`, `source_url` (https) and `year`. All problems are collected and raised as one
InputError naming the file, the row (as a line number) and the column.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import types
import typing
from pathlib import Path

from plumbing.checked import parse_number
from plumbing.errors import InputError

T = typing.TypeVar("T")

SOURCE_FIELDS = ("source_publisher", "source_title", "source_url", "year")


def _convert(text: str, kind: object) -> object:
    optional = typing.get_origin(kind) in (typing.Union, types.UnionType) and type(None) in (
        typing.get_args(kind)
    )
    if optional:
        if text == "":
            return None
        kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
    if text == "":
        raise ValueError("expected a value, got an empty cell")
    if kind in (int, float):  # one rule for numbers everywhere: finite, ASCII, bounded
        return parse_number(text, "", integer=kind is int)
    if kind is bool:
        if text not in ("true", "false"):
            raise ValueError(f"expected true or false, got {text!r}")
        return text == "true"
    return text


def _check_source(row: dict[str, object]) -> list[tuple[str, str]]:
    problems = []
    if not str(row["source_url"]).startswith("https://"):
        problems.append(("source_url", f"expected an https:// address, got {row['source_url']!r}"))
    if not 1990 <= int(row["year"]) <= 2100:
        problems.append(("year", f"expected a year between 1990 and 2100, got {row['year']}"))
    return problems


def read_table(path: Path, row_type: type[T]) -> list[T]:
    """Read `path` into `row_type` rows; InputError lists every bad row and column."""
    hints = typing.get_type_hints(row_type)
    names = [f.name for f in dataclasses.fields(row_type)]
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = list(reader.fieldnames or [])
            records = [(reader.line_num, record) for record in reader]
    except OSError as exc:
        raise InputError(f"{path}: cannot read table: {exc}") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: not a UTF-8 CSV file: {exc}") from exc
    if header != names:
        missing = [n for n in names if n not in header]
        extra = [h for h in header if h not in names]
        raise InputError(
            f"{path}: bad header: missing columns {missing}, unknown columns {extra}; "
            f"expected the columns {names} in this order"
        )
    rows, problems = [], []
    for line, record in records:
        if None in record or any(record[name] is None for name in names):
            problems.append(f"{path}:{line}: expected {len(names)} cells, got another count")
            continue
        values, row_problems = {}, []
        for name in names:
            try:
                values[name] = _convert(record[name].strip(), hints[name])
            except ValueError as exc:
                row_problems.append((name, str(exc)))
        if not row_problems and set(SOURCE_FIELDS) <= set(names):
            row_problems = _check_source(values)
        if not row_problems and hasattr(row_type, "check"):
            row_problems = row_type.check(values)
        problems += [f"{path}:{line}: column {name!r}: {why}" for name, why in row_problems]
        if not row_problems:
            rows.append(row_type(**values))
    if problems:
        raise InputError("bad table rows:\n  " + "\n  ".join(problems))
    return rows


MAX_CELL = 128 * 1024  # csv's own field limit (131,072 characters), stated in the refusal


def csv_rows(text: str, path: str | Path,
             columns: typing.Sequence[str] = ()) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header and every (row number, cells) of CSV `text` (the header is row 1).

    Raises:
        InputError: a line csv cannot read (a cell over its field limit, a NUL byte), named
            with the line being read; with `columns`, a header other than exactly those in
            that order, naming what is missing and unknown.
    """
    # No newline="" here: a bare \r inside a cell stays in its row (the row is named).
    reader = csv.DictReader(io.StringIO(text))
    header = None
    try:
        header = reader.fieldnames or []
        rows = list(enumerate(reader, start=2))
    except csv.Error as exc:
        line = reader.line_num + (header is not None)  # the line being read when it failed
        raise InputError(f"{path}: line {line}: not a CSV row that can be read "
                         f"({exc}; a cell holds at most {MAX_CELL:,} characters)") from None
    if columns and list(header) != list(columns):
        missing = [c for c in columns if c not in header]
        extra = [c for c in header if c not in columns]
        raise InputError(f"{path}: row 1: header: expected the columns {', '.join(columns)} "
                         f"in this order; missing {missing or 'none'}, unknown {extra or 'none'}")
    return list(header), rows
