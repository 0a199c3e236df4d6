"""A held-out survey dated inside the calibration window, against the calibrated ensemble.

Run on purpose: `python benchmarks/survey_crosscheck.py calibration/history [--survey ID]`.
`simulator backtest` compares the surveys of its held-out window's last year with its runs'
last month; GPO-AI (November 2023, 21 countries) falls inside the history's calibration
years, where no backtest reaches it, and this runs each member to a survey's own month. The
calibration never reads it either, so it still checks what calibration did not see: each
non-implausible member is run to the survey's month and the median member's users per
person (and per person online) is ranked against the survey's shares.
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy.stats import spearmanr

from simulator.calibration.ensemble import calibration_metadata, load_ensemble
from simulator.calibration.survey import by_survey, compare, country_users, load_survey, population
from simulator.run import load_scenario, run_scenario
from simulator.world.internet_use import online_share


def main() -> None:
    """Print the comparison RESULTS.md quotes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("calibration", help="a `simulator calibrate` output folder")
    parser.add_argument("--survey", default="gpo-ai-2023")
    args = parser.parse_args()
    rows = by_survey(load_survey())[args.survey]
    firm = rows[0].firm or None  # the survey's firm, or every firm's users
    path = calibration_metadata(args.calibration)["scenario"]["path"]
    month = load_scenario(path).month_of(f"{rows[0].date:%Y-%m}")
    members = []
    for point in load_ensemble(args.calibration):
        scenario = load_scenario(path, [f"{key}={value}" for key, value in point.items()])
        members.append(country_users(run_scenario(scenario, months=month).timeseries, month,
                                     firm))
    result = compare(members, rows, population())
    online = online_share(result.countries).share
    per_online = spearmanr(result.observed, np.array(result.model) / online).statistic
    print(f"{args.survey} ({rows[0].date:%Y-%m}), {firm or 'all firms'}, {len(members)} members: "
          f"Spearman {result.spearman:.2f} per person, {per_online:.2f} per person online, "
          f"over {len(result.countries)} countries; level {result.level_ratio:.2f}x")
    for country, observed, model in sorted(zip(result.countries, result.observed,
                                               result.model, strict=True),
                                           key=lambda row: -row[1]):
        print(f"  {country}  survey {observed:.2f}  model {model:.3f} per person")


if __name__ == "__main__":
    main()
