"""What the real labs did, 2023-2025: the dated, sourced moves an advice hindcast is scored on.

`data/real_moves.csv` holds one move per row (`COLUMNS`): an office opened, a launch or
entry into a country, a localised model, a partnership or distribution channel, a price
tier (replacing the price) or a lite tier (beside it), a data region, a hiring push, or a
withdrawal, by one of the six companies the history scenario's archetypes stand for
(`FIRM_OF`). Every row names its source and says how it was
checked against a stored public page (`checked`; data/SOURCES.md, "Real moves").

`parse_real_moves` validates the whole file and refuses it with every problem on its own
line as `file: row N: column: expected ...` (rows numbered as a spreadsheet shows them,
the header is row 1), so a typo never silently drops or misdates a move.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from plumbing.checked import MAX_MAGNITUDE, parse_number
from plumbing.shipped import shipped_path
from plumbing.tables import csv_rows
from simulator.scenario.toml_check import problems_error, read_user_file

# The history scenario's archetype (data/scenarios/history.toml) each real company stands for.
FIRM_OF = {
    "OpenAI": "US Frontier",
    "Anthropic": "US Second",
    "Google": "Big Tech",
    "Meta": "Open Weights",
    "Mistral AI": "Euro Challenger",
    "DeepSeek": "China Lab",
}
KINDS = ("office", "launch", "localised_model", "partnership", "price_tier", "lite_tier",
         "data_region", "hiring", "enter", "exit", "tokenizer")
FIRST, LAST = date(2023, 1, 1), date(2025, 12, 31)  # the years the hindcast scores
COLUMNS = {
    "id": "a unique identifier of letters, digits, '_', '-' or '.'",
    "date": f"a date as YYYY-MM-DD or YYYY-MM between {FIRST} and {LAST}",
    "company": "one of " + ", ".join(FIRM_OF),
    "firm": "the company's archetype in the history scenario",
    "kind": "one of " + ", ".join(KINDS),
    "country": "an ISO 3166 alpha-2 code, 'EU' or 'world'",
    "language": "a BCP 47 language tag (e.g. ja, zh-Hans) or an empty cell",
    "detail": "what was done (non-empty)",
    "value": f"a finite number >= 0, at most {MAX_MAGNITUDE:g}, or an empty cell",
    "unit": "the value's unit (non-empty exactly when there is a value)",
    "source_publisher": "who published the source (non-empty)",
    "source_title": "the source's title (non-empty)",
    "source_url": "an https URL, or empty when none is known",
    "checked": "how and when the row was checked against a stored public page (non-empty)",
}
_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})(?:-([0-9]{2}))?$")
_COUNTRY = re.compile(r"^(?:[A-Z]{2}|EU|world)$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_URL = re.compile(r"^https://\S+$")
_REQUIRED = ("id", "detail", "source_publisher", "source_title", "checked")


@dataclass(frozen=True)
class RealMove:
    """One dated move of a real lab, with its source and how it was checked."""

    row: int  # the file's row (header = 1), for messages
    id: str
    date: date
    day_known: bool  # False where the source dates the move by month only (day set to 1)
    company: str
    firm: str
    kind: str
    country: str
    language: str
    detail: str
    value: float | None
    unit: str
    source_publisher: str
    source_title: str
    source_url: str
    checked: str


def _parse_date(text: str) -> tuple[date, bool]:
    match = _DATE.match(text)
    if not match:
        raise ValueError
    when = date(int(match[1]), int(match[2]), int(match[3] or 1))
    if not FIRST <= when <= LAST:
        raise ValueError
    return when, match[3] is not None


def _parse_row(cells: dict[str, str]) -> tuple[dict, list[tuple[str, str]]]:
    """Typed fields of one row and its problems as (column, expected)."""
    text = {column: (cells.get(column) or "").strip() for column in COLUMNS}
    fields: dict = dict(text)
    problems: list[tuple[str, str]] = []

    def bad(column: str) -> None:
        shown = f", got {text[column]!r}" if text[column] else ", got an empty cell"
        problems.append((column, COLUMNS[column] + shown))

    try:
        fields["date"], fields["day_known"] = _parse_date(text["date"])
    except ValueError:
        bad("date")
    try:
        fields["value"] = (parse_number(text["value"], integer=False, low=0, high=MAX_MAGNITUDE)
                           if text["value"] else None)
    except ValueError:
        bad("value")
    for column in _REQUIRED:
        if not text[column] or (column == "id" and not _ID.match(text[column])):
            bad(column)
    if text["company"] not in FIRM_OF:
        bad("company")
    elif text["firm"] != FIRM_OF[text["company"]]:
        problems.append(("firm", f"{FIRM_OF[text['company']]!r} for {text['company']}, "
                                 f"got {text['firm']!r}"))
    if text["kind"] not in KINDS:
        bad("kind")
    if not _COUNTRY.match(text["country"]):
        bad("country")
    if text["language"] and not _LANGUAGE.match(text["language"]):
        bad("language")
    if bool(text["unit"]) != bool(text["value"]):
        bad("unit")
    if text["source_url"] and not _URL.match(text["source_url"]):
        bad("source_url")
    return fields, problems


def parse_real_moves(text: str, path: str | Path = "<real moves>") -> list[RealMove]:
    """Validate real-moves CSV text; InputError lists every problem at once."""
    _, rows = csv_rows(text, path, COLUMNS)
    moves, problems, seen = [], [], {}
    for number, cells in rows:
        if None in cells or None in cells.values():
            problems.append(f"{path}: row {number}: (end): expected {len(COLUMNS)} cells")
            continue
        fields, row_problems = _parse_row(cells)
        problems += [f"{path}: row {number}: {c}: expected {what}" for c, what in row_problems]
        ident = fields["id"]
        if ident and ident in seen:
            problems.append(f"{path}: row {number}: id: expected a unique id, {ident!r} is "
                            f"also on row {seen[ident]}")
        seen.setdefault(ident, number)
        if not row_problems:
            moves.append(RealMove(row=number, **fields))
    if not moves and not problems:
        problems.append(f"{path}: row 2: id: expected at least one move")
    if problems:
        raise problems_error("real moves", problems)
    return moves


def read_real_moves(path: str | Path) -> list[RealMove]:
    """Read and validate a real-moves file (a user's or the shipped one)."""
    path = Path(path)
    return parse_real_moves(read_user_file(path, "real moves"), path)


def load_real_moves() -> list[RealMove]:
    """The shipped `data/real_moves.csv`."""
    return read_real_moves(shipped_path("real_moves.csv"))


def moves_of(moves: list[RealMove], firm: str, after: date, until: date = LAST) -> list[RealMove]:
    """The archetype `firm`'s moves dated after `after` up to `until`, oldest first."""
    return sorted((m for m in moves if m.firm == firm and after < m.date <= until),
                  key=lambda m: (m.date, m.id))
