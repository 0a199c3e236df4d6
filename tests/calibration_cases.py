"""A twin case for calibration tests: observations made by the model at known parameters.

Three countries, two firms, 18 months from November 2022; two uncertain Bass coefficients.
The "truth" is one run at `TRUE_POINT` with a seed the calibration never uses, read through
the same metric table the calibration reads, so recovering it tests the whole chain.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from sim_profiles import firm_toml, scenario_file

from simulator.calibration.evaluate import EvaluationPlan, execute_point
from simulator.calibration.observations import COLUMNS, read_observations
from simulator.scenario import load_scenario

TRUE_POINT = {"parameters.bass_p_annual": 0.15, "parameters.bass_q_annual": 1.2}
UNCERTAIN = "[uncertain]\nbass_p_annual = [0.01, 0.6]\nbass_q_annual = [0.1, 3.0]\n"
FIRMS = [firm_toml("Frontier", "US", entry_rule='"gravity"', entries_per_year="120"),
         firm_toml("Euro", "FR", entries_per_year="24")]
# (id, month, metric, firm, geography, role); month 1 = 2022-11
ROWS = [("f-users-3", 3, "users", "Frontier", "world", "calibrate"),
        ("f-users-6", 6, "users", "Frontier", "world", "calibrate"),
        ("f-users-9", 9, "users", "Frontier", "world", "calibrate"),
        ("f-users-12", 12, "users", "Frontier", "world", "calibrate"),
        ("e-users-12", 12, "users", "Euro", "world", "calibrate"),
        ("f-users-15", 15, "users", "Frontier", "world", "holdout"),
        ("f-users-18", 18, "users", "Frontier", "world", "holdout"),
        ("e-users-18", 18, "users", "Euro", "world", "holdout"),
        ("f-share-DE", 18, "traffic_share", "Frontier", "DE", "holdout"),
        ("f-share-FR", 18, "traffic_share", "Frontier", "FR", "holdout"),
        ("f-share-US", 18, "traffic_share", "Frontier", "US", "holdout")]
UNTIL, HOLDOUT = "2023-10", "2023-11..2024-04"
UNITS = {"users": "users", "traffic_share": "fraction"}


def month_date(month: int) -> str:
    """The calendar month (YYYY-MM) of model month `month` from November 2022."""
    index = 2022 * 12 + 10 + month - 1
    return f"{index // 12}-{index % 12 + 1:02d}"


def _write(path: Path, values: list[float]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        for (ident, month, metric, firm, geography, role), value in zip(ROWS, values,
                                                                          strict=True):
            writer.writerow({
                "id": ident, "date": month_date(month), "metric": metric, "firm": firm,
                "company": "twin", "geography": geography, "value": f"{value:.6g}",
                "unit": UNITS[metric], "error_kind": "rel_sd", "error": "0.05",
                "error_reason": "the twin's own run; 5% stands for rounding",
                "role": role, "source_publisher": "tests", "source_title": "twin experiment",
                "source_url": "", "year": "2023"})


def twin_case(folder: Path, truth: dict[str, float] | None = None,
              uncertain: str = UNCERTAIN) -> tuple[Path, Path]:
    """Write the scenario and the observations of the truth; returns (scenario, csv).

    `truth` (default `TRUE_POINT`) and `uncertain` (the scenario's [uncertain] table) let a
    test put other parameters among the unknowns.
    """
    truth = TRUE_POINT if truth is None else truth
    folder.mkdir(parents=True, exist_ok=True)
    scenario_path = scenario_file(folder, ["DE", "FR", "US"], FIRMS, months=18,
                                  extra=uncertain)
    observations = folder / "observations.csv"
    _write(observations, [1.0] * len(ROWS))  # placeholders: the plan needs the rows
    scenario = load_scenario(scenario_path)
    plan = EvaluationPlan(scenario, tuple(truth), np.array([list(truth.values())]),
                          tuple(read_observations(observations)), 1, 999, 18, (2022, 11))
    truth = execute_point(plan, 0).table.to_pylist()[0]
    assert truth["status"] == "ok", truth["error"]
    _write(observations, [truth[f"obs:{row[0]}"] for row in ROWS])
    return scenario_path, observations
