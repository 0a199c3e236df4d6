"""Observations: dated public figures a calibration compares the model with.

`data/observations.csv` holds one figure per row, with its source and its error (see
`COLUMNS`). `read_observations` validates the whole file and refuses it with every problem
on its own line as `file: row N: column: what was expected` (exit code 2), so a typo in
a date, a metric or an error never turns into a silently wrong calibration.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first figure row 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from plumbing.checked import MAX_MAGNITUDE, parse_number
from plumbing.errors import InputError
from plumbing.tables import csv_rows
from simulator.calibration.metrics import METRICS
from simulator.scenario.toml_check import problems_error, read_user_file

# Column -> what a cell must hold (the message a bad cell gets).
COLUMNS = {
    "id": "a unique identifier of letters, digits, '_', '-' or '.'",
    "date": "a date as YYYY-MM-DD or YYYY-MM",
    "metric": "one of " + ", ".join(METRICS),
    "firm": "the archetype (a firm name of the history scenario)",
    "company": "the real company the figure is about",
    "geography": "'world', 'EU' or an ISO 3166 alpha-2 country code",
    "value": f"a finite number >= 0, at most {MAX_MAGNITUDE:g}",
    "unit": "the metric's unit",
    "error_kind": "'sd' (in the value's unit) or 'rel_sd' (a fraction of the value)",
    "error": f"a finite number > 0, at most {MAX_MAGNITUDE:g}",
    "error_reason": "why the error is this large (non-empty)",
    "role": "'calibrate' or 'holdout'",
    "source_publisher": "who published the figure (non-empty)",
    "source_title": "the publication's title (non-empty)",
    "source_url": "an https URL, or empty when none is known",
    "year": "the publication's year, 2022-2030",
}
ROLES = ("calibrate", "holdout")
_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})(?:-([0-9]{2}))?$")  # ASCII digits only


@dataclass(frozen=True)
class Observation:
    """One dated public figure and how far the truth may be from it."""

    row: int  # the file's row (header = 1), for messages
    id: str
    date: date
    metric: str
    firm: str
    company: str
    geography: str
    value: float
    unit: str
    error_kind: str
    error: float
    error_reason: str
    role: str
    source_publisher: str
    source_title: str
    source_url: str
    year: int

    @property
    def sd(self) -> float:
        """Observation error as a standard deviation in the value's unit."""
        return self.error * self.value if self.error_kind == "rel_sd" else self.error

    @property
    def modelled(self) -> bool:
        """Whether the model produces this metric (context rows are recorded, not fitted)."""
        return METRICS[self.metric].read is not None


def _parse_date(text: str) -> date:
    match = _DATE.match(text)
    if not match:
        raise ValueError
    year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
    return date(year, month, day)


def _parse_number(text: str, positive: bool) -> float:
    value = parse_number(text, integer=False, low=0, high=MAX_MAGNITUDE)
    if positive and value == 0:
        raise ValueError
    return value


def _parse_row(cells: dict[str, str]) -> tuple[dict, list[tuple[str, str]]]:
    """Typed fields of one row and its problems as (column, expected)."""
    fields: dict = {}
    problems: list[tuple[str, str]] = []
    for column in COLUMNS:
        text = (cells.get(column) or "").strip()
        try:
            if column == "date":
                fields[column] = _parse_date(text)
            elif column in ("value", "error"):
                fields[column] = _parse_number(text, positive=column == "error")
            elif column == "year":
                fields[column] = parse_number(text, integer=True, low=2022, high=2030)
            else:
                fields[column] = text
                if column == "source_url":
                    if text and not re.match(r"^https://\S+$", text):
                        raise ValueError
                elif not text or (column == "id" and not _ID.match(text)):
                    raise ValueError
        except ValueError:
            shown = f", got {text!r}" if text else ", got an empty cell"
            problems.append((column, COLUMNS[column] + shown))
    _check_choices(fields, problems)
    _check_log_value(fields, problems)
    return fields, problems


def _check_log_value(fields: dict, problems: list[tuple[str, str]]) -> None:
    # A metric compared as a logarithm needs a value above 0 (log 0 and sd / 0 are undefined).
    metric = METRICS.get(fields.get("metric", ""))
    if metric is not None and metric.log_scale and fields.get("value") == 0:
        problems.append(("value", f"a value above 0 for {fields['metric']} (compared as a "
                                  "logarithm), got '0'"))


def _check_choices(fields: dict, problems: list[tuple[str, str]]) -> None:
    """Checks that need more than one cell or a fixed list of values."""
    metric = METRICS.get(fields.get("metric", ""))
    if "metric" in fields and metric is None:
        problems.append(("metric", f"{COLUMNS['metric']}, got {fields['metric']!r}"))
    if metric is not None and fields.get("unit") and fields["unit"] != metric.unit:
        problems.append(("unit", f"{metric.unit!r} for metric {fields['metric']}, "
                                 f"got {fields['unit']!r}"))
    if fields.get("error_kind") and fields["error_kind"] not in ("sd", "rel_sd"):
        problems.append(("error_kind", f"{COLUMNS['error_kind']}, got {fields['error_kind']!r}"))
    if metric is not None and metric.event and fields.get("error_kind") == "rel_sd":
        problems.append(("error_kind", f"'sd' (in months) for the event metric {fields['metric']}"))
    if fields.get("role") and fields["role"] not in ROLES:
        problems.append(("role", f"{COLUMNS['role']}, got {fields['role']!r}"))
    geography = fields.get("geography")
    if geography and not (geography in ("world", "EU") or re.fullmatch(r"[A-Z]{2}", geography)):
        problems.append(("geography", f"{COLUMNS['geography']}, got {geography!r}"))
    if (metric is not None and geography and metric.geography == "country"
            and geography in ("world", "EU")):
        problems.append(("geography", f"a country code for metric {fields['metric']}"))
    if (metric is not None and metric.geography == "world" and geography
            and geography != "world"):
        problems.append(("geography", f"'world' for metric {fields['metric']}"))


def parse_observations(text: str, path: str | Path = "<observations>") -> list[Observation]:
    """Validate observation CSV text; InputError lists every problem at once."""
    header, rows = csv_rows(text, path)
    missing = [c for c in COLUMNS if c not in header]
    extra = [c for c in header if c not in COLUMNS]
    if missing or extra:
        parts = ([f"missing columns {', '.join(missing)}"] if missing else []) + (
            [f"unknown columns {', '.join(map(repr, extra))}"] if extra else [])
        raise InputError(f"{path}: row 1: header: expected the columns "
                         f"{', '.join(COLUMNS)}; {'; '.join(parts)}")
    observations, problems, seen = [], [], {}
    for number, cells in rows:
        if None in cells:  # more cells than columns
            problems.append(f"{path}: row {number}: (end): expected {len(COLUMNS)} cells, "
                            f"got {len(COLUMNS) + len(cells[None])}")
            continue
        fields, row_problems = _parse_row(cells)
        problems += [f"{path}: row {number}: {c}: expected {what}" for c, what in row_problems]
        ident = fields.get("id")
        if ident and ident in seen:
            problems.append(f"{path}: row {number}: id: expected a unique id, {ident!r} is "
                            f"also on row {seen[ident]}")
        if ident:
            seen.setdefault(ident, number)
        if not row_problems:
            observations.append(Observation(row=number, **fields))
    if not observations and not problems:
        problems.append(f"{path}: row 2: id: expected at least one observation row")
    if problems:
        raise problems_error("observations", problems)
    return observations


def read_observations(path: str | Path) -> list[Observation]:
    """Read and validate an observations file."""
    path = Path(path)
    return parse_observations(read_user_file(path, "observations"), path)
