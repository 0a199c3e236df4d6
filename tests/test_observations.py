"""The observations file: the shipped one is complete and sourced; bad ones are refused clearly."""

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from cli_text import shows
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from plumbing.errors import InputError
from simulator.calibration.metrics import METRICS
from simulator.calibration.observations import COLUMNS, parse_observations, read_observations
from simulator.cli import main

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "observations.csv"
PROBLEM = re.compile(r"^\S+: row \d+: [a-z_()]+: expected .+$")
GOOD_ROW = {
    "id": "x-1", "date": "2023-11-06", "metric": "users", "firm": "US Frontier",
    "company": "OpenAI", "geography": "world", "value": "1e8", "unit": "users",
    "error_kind": "rel_sd", "error": "0.1", "error_reason": "rounded", "role": "calibrate",
    "source_publisher": "TechCrunch", "source_title": "a title", "source_url": "",
    "year": "2023",
}


def as_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def problems_of(text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_observations(text, "obs.csv")
    return caught.value.message.splitlines()[1:]


def test_shipped_observations_cover_the_brief_with_sources_and_a_split():
    observations = read_observations(SHIPPED)
    by_metric = {o.metric for o in observations}
    assert {"users", "revenue_annualised", "traffic_share", "office_opened",
            "available_from", "regulatory_event"} <= by_metric
    wau = sorted((o.date, o.value) for o in observations
                 if o.company == "OpenAI" and o.metric == "users")
    assert [v for _, v in wau] == sorted(v for _, v in wau)  # ChatGPT only ever grew
    for o in observations:
        assert o.source_publisher and o.source_title and o.error_reason and o.sd > 0
        assert not o.source_url or o.source_url.startswith("https://")
        assert (o.role == "calibrate") == (o.date < date(2025, 1, 1)), o.id
    companies = {o.company for o in observations}
    assert {"OpenAI", "Anthropic", "Google", "Mistral AI", "Meta", "DeepSeek"} <= companies


def test_each_bad_cell_is_named_by_row_and_column():
    rows = [GOOD_ROW, {**GOOD_ROW, "id": "x-2", "date": "2023-13-01", "value": "-3"},
            {**GOOD_ROW, "id": "x-1", "metric": "usres", "role": "train"},
            {**GOOD_ROW, "id": "x-4", "unit": "usd_per_year", "source_url": "not a url"}]
    problems = problems_of(as_csv(rows))
    assert problems == [
        "obs.csv: row 3: date: expected a date as YYYY-MM-DD or YYYY-MM, got '2023-13-01'",
        "obs.csv: row 3: value: expected a finite number >= 0, at most 1e+18, got '-3'",
        "obs.csv: row 4: metric: expected one of " + ", ".join(METRICS) + ", got 'usres'",
        "obs.csv: row 4: role: expected 'calibrate' or 'holdout', got 'train'",
        "obs.csv: row 4: id: expected a unique id, 'x-1' is also on row 2",
        "obs.csv: row 5: source_url: expected an https URL, or empty when none is known, "
        "got 'not a url'",
        "obs.csv: row 5: unit: expected 'users' for metric users, got 'usd_per_year'",
    ]


def test_header_and_ragged_rows_are_refused():
    with pytest.raises(InputError, match=r"obs.csv: row 1: header: .*missing columns role"):
        parse_observations(as_csv([GOOD_ROW]).replace(",role,", ",rolle,"), "obs.csv")
    text = as_csv([GOOD_ROW]) + as_csv([GOOD_ROW]).splitlines()[1] + ",extra\n"
    assert problems_of(text) == ["obs.csv: row 3: (end): expected 16 cells, got 17"]


cells = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\x00"), max_size=12)


@settings(max_examples=150, deadline=None)
@given(column=st.sampled_from(list(COLUMNS)), value=cells)
def test_any_cell_either_parses_or_gets_a_located_message(column, value):
    text = as_csv([GOOD_ROW, {**GOOD_ROW, "id": "x-2", column: value}])
    try:
        parse_observations(text, "obs.csv")
    except InputError as exc:
        lines = exc.message.splitlines()
        assert lines[0].startswith("bad observations")
        assert all(PROBLEM.match(line) for line in lines[1:]), lines


def test_calibrate_refuses_a_bad_file_with_exit_2_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(as_csv([{**GOOD_ROW, "error": "0"}]), encoding="utf-8")
    scenario = tmp_path / "s.toml"
    scenario.write_text('name = "s"\nmonths = 3\nmarkets = ["US"]\n[uncertain]\n'
                        'bass_p_annual = [0.01, 0.5]\n[[firms]]\nname = "US Frontier"\n'
                        'home = "US"\ncash_usd = 1e9\ntalent = { researchers = 1, '
                        'engineers = 1 }\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["calibrate", str(scenario), "--observations", str(bad),
                                       "--until", "2024-12", "--out", str(tmp_path / "c")])
    assert result.exit_code == 2, result.output
    assert shows(result.output, f"{bad}: row 2: error: expected a finite number > 0, "
                                 "at most 1e+18, got '0'")
    assert "Traceback" not in result.output
