"""The real moves file: the shipped one loads, is sourced and checked; bad rows are named."""

import csv
import io
import re
import tomllib
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plumbing.errors import InputError
from simulator.advice.real_moves import (
    COLUMNS,
    FIRM_OF,
    KINDS,
    load_real_moves,
    moves_of,
    parse_real_moves,
)

DATA = Path(__file__).resolve().parents[1] / "data"
PROBLEM = re.compile(r"^\S+: row \d+: [a-z_()]+: expected .+$")
GOOD = {
    "id": "m-1", "date": "2024-04-15", "company": "OpenAI", "firm": "US Frontier",
    "kind": "office", "country": "JP", "language": "ja", "detail": "Tokyo office",
    "value": "", "unit": "", "source_publisher": "Reuters", "source_title": "a title",
    "source_url": "https://example.org/a", "checked": "2026-12-07 search pages: example.org",
}


def as_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def problems_of(text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_real_moves(text, "moves.csv")
    return caught.value.message.splitlines()[1:]


def test_shipped_moves_load_with_a_source_and_a_check_on_every_row():
    moves = load_real_moves()
    assert 30 <= len(moves) <= 60
    for move in moves:
        assert move.source_publisher and move.source_title and move.checked, move.id
        assert not move.source_url or move.source_url.startswith("https://"), move.id
        assert date(2023, 1, 1) <= move.date <= date(2025, 12, 31), move.id
    openai = [m for m in moves if m.company == "OpenAI" and m.date.year in (2024, 2025)]
    assert len(openai) >= 12
    assert {m.company for m in moves} == set(FIRM_OF)
    assert {"office", "localised_model", "partnership", "price_tier", "data_region"} <= {
        m.kind for m in moves}


def test_the_archetypes_are_the_history_scenario_firms():
    history = tomllib.loads((DATA / "scenarios" / "history.toml").read_text())
    assert set(FIRM_OF.values()) == {firm["name"] for firm in history["firms"]}


def test_moves_of_is_one_firm_in_a_window_oldest_first():
    moves = load_real_moves()
    after = moves_of(moves, "US Frontier", date(2023, 12, 31))
    assert after and all(m.firm == "US Frontier" and m.date.year >= 2024 for m in after)
    assert [m.date for m in after] == sorted(m.date for m in after)
    # The Japanese-optimised model and the Tokyo office, April 2024, are in the hindcast's window.
    assert {"openai-japanese-model-2024", "openai-office-JP-2024"} <= {m.id for m in after}


def test_a_month_only_date_is_flagged_and_falls_on_the_first():
    (move,) = parse_real_moves(as_csv([{**GOOD, "date": "2025-08"}]))
    assert move.date == date(2025, 8, 1) and not move.day_known


BAD_CELLS = {
    "date": st.sampled_from(["2022-12-31", "2026-01", "2024-13-01", "15/04/2024", ""]),
    "company": st.sampled_from(["OpenAl", "openai", ""]),
    "kind": st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1,
                    max_size=8).filter(lambda k: k.strip() not in KINDS),
    "country": st.sampled_from(["jp", "JPN", "Europe", ""]),
    "language": st.sampled_from(["JA", "japanese", "j"]),
    "value": st.sampled_from(["-1", "nan", "inf", "1e400", "ten"]),
    "source_url": st.sampled_from(["http://x.org", "www.x.org", "https://a b"]),
    "checked": st.just(""),
    "detail": st.just(" "),
}


@settings(max_examples=60, deadline=None)
@given(column=st.sampled_from(sorted(BAD_CELLS)), data=st.data())
def test_a_bad_cell_is_named_by_row_and_column(column, data):
    cell = data.draw(BAD_CELLS[column])
    row = {**GOOD, column: cell}
    if column == "value":
        row["unit"] = "usd"
    problems = problems_of(as_csv([GOOD | {"id": "m-0"}, row]))
    assert problems and all(PROBLEM.match(p) for p in problems)
    assert any(p.startswith(f"moves.csv: row 3: {column}: expected") for p in problems)


def test_a_firm_other_than_the_company_archetype_is_refused():
    problems = problems_of(as_csv([{**GOOD, "firm": "China Lab"}]))
    assert problems == ["moves.csv: row 2: firm: expected 'US Frontier' for OpenAI, "
                        "got 'China Lab'"]


def test_a_value_needs_a_unit_and_a_unit_a_value():
    assert "row 2: unit" in problems_of(as_csv([{**GOOD, "value": "399"}]))[0]
    assert "row 2: unit" in problems_of(as_csv([{**GOOD, "unit": "usd"}]))[0]


def test_duplicate_ids_and_a_wrong_header_are_refused():
    assert "also on row 2" in problems_of(as_csv([GOOD, GOOD]))[0]
    with pytest.raises(InputError, match="row 1: header"):
        parse_real_moves("id,date\nx,2024-01\n", "moves.csv")
