"""Tiny sweeps for batch and report tests: three countries, two firms, a few months."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from sim_profiles import firm_toml, scenario_file

from simulator.batch.store import read_table
from simulator.reports.schema import TABLES

FIRMS = [firm_toml("Frontier", "US", entry_rule='"gravity"'),
         firm_toml("Euro", "FR", localise='[{ region = "eu", start_month = 0 }]')]
VARIANTS = """
[[variants]]
name = "eu-early"
overrides = { "firms.Euro.strategy.localise" = [{ region = "eu", start_month = 0 }] }

[[variants]]
name = "eu-late"
overrides.firms.Euro.strategy.localise = [{ region = "eu", start_month = 6 }]
"""
# Passes validation, fails when the run loads its profile: the sweep must record it and go on.
BROKEN = """
[[variants]]
name = "broken"
overrides = { technology_profile = "no-such-profile.parquet" }
"""
UNCERTAIN = """
[uncertain]
"compute.gpu_usd_per_hour" = [1.5, 4.0]
token_premium_scale = [0.5, 1.5]
"""


def tiny_sweep(folder: Path, design: str = '{ kind = "latin", samples = 3 }', seeds: int = 2,
               months: int = 12, markets: tuple[str, ...] = ("DE", "FR", "US"),
               broken: bool = True, name: str = "sweep.toml", uncertain: str = UNCERTAIN) -> Path:
    """Write a scenario, its profile and a sweep over them into `folder`; the sweep's path."""
    folder.mkdir(parents=True, exist_ok=True)
    scenario = scenario_file(folder, list(markets), FIRMS, months=months)
    text = (f'name = "tiny"\nscenario = "{scenario.name}"\nseed = 11\nseeds = {seeds}\n'
            f'focus_firm = "Euro"\ndesign = {design}\n{VARIANTS}{BROKEN if broken else ""}'
            f"{uncertain}")
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def tables(out: Path) -> dict[str, pa.Table]:
    """The batch folder's tables in run order, without the one column that may differ."""
    found = {name: read_table(out, name) for name in TABLES}
    found["runs"] = found["runs"].drop_columns(["duration_s"])
    return found
