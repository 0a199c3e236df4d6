"""The `simulator` command: world data, scenario runs, batch sweeps and reports."""

from __future__ import annotations

import rich_click as click

from plumbing.lazy_group import LazyGroup

# One line per subcommand: name -> "module:click command". Keep modules light at import.
COMMANDS: dict[str, str] = {
    "regions": "hub.regions_cli:regions",
    "batch": "simulator.batch.cli:batch",
    "report": "simulator.reports.cli:report",
    "run": "simulator.run.cli:run",
    "calibrate": "simulator.calibration.calibrate_cli:calibrate",
    "backtest": "simulator.calibration.backtest_cli:backtest",
    "ship": "simulator.calibration.ship_cli:ship",
    "advise": "simulator.advice.cli:advise",
    "hindcast": "simulator.advice.hindcast_cli:hindcast",
    "firm": "simulator.scenario.firm_cli:firm",
    "countries": "simulator.world.cli:countries",
}


@click.group(cls=LazyGroup, lazy_commands=COMMANDS)
@click.version_option(package_name="intl-strategy")
def main() -> None:
    """Simulate firms that build language models expanding into country markets.

    Example: `simulator run data/scenarios/default.toml`
    """
