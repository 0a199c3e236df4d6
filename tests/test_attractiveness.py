"""Country attractiveness for one firm (`simulator.reports.attractiveness`).

The model's own figures.

The TUI tests' tiny scenario with Iran and Japan added: a US firm is present at home, may
not serve Iran (US sanctions, the row of data/availability.csv says so) while the German
firm may; the figures are the model's arrays, and follow the scenario's parameters.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from test_tui_support import SCENARIO, write_workspace

from simulator.model import StrategyModel
from simulator.reports.attractiveness import best_moves, country_table, sort_rows
from simulator.run import load_scenario
from simulator.scenario.overrides import apply


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    workspace = write_workspace(tmp_path_factory.mktemp("countries"))
    workspace["scenario"].write_text(SCENARIO.replace(
        'markets = ["DE", "FR", "US"]', 'markets = ["DE", "FR", "US", "IR", "JP"]'), "utf-8")
    return load_scenario(workspace["scenario"])


@pytest.fixture(scope="module")
def frontier(scenario):
    return country_table(scenario, "Frontier")


def by_code(table):
    return {r.iso2: r for r in table.rows}


def test_present_at_home_and_a_sanctioned_country_says_why(scenario, frontier):
    rows = by_code(frontier)
    assert rows["US"].status == "present" and rows["US"].residency == "yes"
    assert rows["US"].distance == 0.0
    assert rows["IR"].status == "forbidden"
    assert "US firms may not serve in IR" in rows["IR"].why and "OFAC" in rows["IR"].why
    # The same country is open to a firm from elsewhere: the rule binds US firms only.
    assert by_code(country_table(scenario, "Challenger"))["IR"].status != "forbidden"
    assert rows["DE"].rivals == ("Challenger",)  # the German firm serves at home


def test_sorting_by_market_size(frontier):
    largest = sort_rows(frontier.rows, "addressable", descending=True)
    sizes = [r.addressable for r in largest]
    assert sizes == sorted(sizes, reverse=True) and largest[0].iso2 == "US"
    assert [r.iso2 for r in sort_rows(frontier.rows, "addressable")] == [
        r.iso2 for r in reversed(largest)]
    # Missing figures last in both directions.
    assert sort_rows(frontier.rows, "advice_gain") == frontier.rows
    with pytest.raises(ValueError, match="sort key"):
        sort_rows(frontier.rows, "size")


def test_figures_are_the_models_arrays_and_follow_its_parameters(scenario, frontier):
    model = StrategyModel(scenario)
    f, rows = 0, by_code(frontier)
    for c, code in enumerate(model.geo.iso2):
        row = rows[code]
        assert row.addressable == model.start_addressable[c]
        assert row.revenue_potential == model.potential[f, c]
        assert row.token_premium == model.econ.firm_premium[f, c]
        assert row.distance == model.geo.distance[model.home[f], c]
        cost, delay = model.entry_cost(f)
        assert (row.compliance_usd, row.delay_months) == (cost[c], delay[c])
    # Not a copy: a lower adoption ceiling scales the market size with it.
    ceiling = scenario.parameters.adoption_ceiling
    wider = country_table(apply(scenario, {"parameters.adoption_ceiling": ceiling / 2}),
                          "Frontier")
    for row in wider.rows:
        assert row.addressable == pytest.approx(rows[row.iso2].addressable / 2)


def test_the_best_advice_move_about_each_country_or_its_region():
    iso2 = ("DE", "FR", "US")
    regions = {"eu": np.array([True, True, False])}
    advice = [{"move": "localise-eu-now", "kind": "localise", "place": "eu", "gain_p50": 3e6},
              {"move": "office-DE", "kind": "office", "place": "DE", "gain_p50": 5e6},
              {"move": "price-ppp", "kind": "price", "place": None, "gain_p50": 9e6},
              {"move": "hire-FR", "kind": "hire", "place": "FR", "gain_p50": -1e6}]
    assert best_moves(advice, regions, iso2) == [
        ("office-DE", 5e6), ("localise-eu-now", 3e6), (None, None)]


def test_the_html_page_lists_every_country_and_says_why_one_is_forbidden(frontier):
    from simulator.reports.attractiveness_html import render

    page = render(frontier)
    table = page[page.index("<table"):page.index("</table>")]
    assert table.count("<tr>") == 1 + len(frontier.rows)
    assert "forbidden [1]" in table and not re.search(r"\bnan\b", page)
    notes = page[page.index("Why a country is forbidden"):]
    assert "US firms may not serve in IR" in notes
    assert "no advice for Frontier" in page  # no advice given: the dash and a hint
    # Largest revenue potential first.
    order = [code for code in ("US", "JP", "DE", "FR", "IR") if f">{code}</td>" in table]
    first = sort_rows(frontier.rows, "revenue_potential", descending=True)[0].iso2
    assert table.index(f">{first}</td>") == min(table.index(f">{c}</td>") for c in order)


def test_the_command_refuses_an_advice_of_another_firm(tmp_path, scenario):
    import json

    from click.testing import CliRunner

    from simulator.cli import main

    folder = tmp_path / "advice"
    folder.mkdir()
    (folder / "advice.json").write_text(json.dumps({"firm": "Challenger"}), "utf-8")
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"move": ["status-quo"]}), folder / "advice.parquet")
    result = CliRunner().invoke(main, ["countries", str(scenario.source), "--firm", "Frontier",
                                       "--advice", str(folder), "--html",
                                       str(tmp_path / "c.html")])
    assert result.exit_code == 2 and "advises 'Challenger', not 'Frontier'" in result.output


def test_status_and_market_are_read_at_the_scenarios_today(scenario, frontier):
    later = apply(scenario, {"months": 12, "today": "2023-06"})
    rows, before = by_code(country_table(later, "Frontier")), by_code(frontier)
    assert before["FR"].status == "enters"  # the status quo enters France in 2023-04
    assert rows["FR"].status == "present"  # ... so by 2023-06 it is there
    # The market has grown with the best model served since the start.
    assert rows["US"].addressable >= before["US"].addressable
