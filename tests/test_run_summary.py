"""`simulator run`'s summary tables read whole at 80 columns: firm names never cut."""

from rich.console import Console
from sim_profiles import firm_toml, scenario_file

from simulator.run import load_scenario, run_scenario
from simulator.run.report import (
    economics_table,
    firm_table,
    footprint_table,
    localisation_table,
    region_table,
)

NAMES = ["Euro Challenger Holdings", "Frontier US", "Open Weights Collective"]


def test_summary_fits_80_columns_with_whole_firm_names(tmp_path):
    firms = [firm_toml(NAMES[0], "FR", localise='[{ region = "eu", start_month = 0 }]'),
             firm_toml(NAMES[1], "US", entry_rule='"gravity"'),
             firm_toml(NAMES[2], "US", entry_rule='"uppsala"')]
    result = run_scenario(load_scenario(scenario_file(tmp_path, ["DE", "FR", "US", "IN"],
                                                      firms, months=6)))
    console = Console(width=80, record=True, color_system=None)
    for table in (firm_table(result), footprint_table(result), region_table(result),
                  economics_table(result), localisation_table(result)):
        console.print(table)
        lines = console.export_text().splitlines()
        assert max(map(len, lines)) <= 80
        assert not any("…" in line for line in lines), "\n".join(lines)
        shown = "\n".join(lines)
        for name in NAMES:
            assert name in shown, (name, shown)
    # Every column of the firm table is there, one row per firm.
    console.print(firm_table(result))
    text = console.export_text()
    assert all(h in text for h in ("users", "share", "rev/month", "rev total", "cash"))
    assert sum(line.startswith("│ " + NAMES[0]) for line in text.splitlines()) == 1
