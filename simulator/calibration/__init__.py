"""Calibration to dated public figures (history matching) and backtests on held-out ones.

- `observations`: the observations CSV, validated (`file: row N: column: expected`).
- `metrics`: how each kind of observation is read from a run, with its model discrepancy.
- `targets`: the chosen observations as z, V_obs, V_md; checks against a scenario.
- `implausibility`: history matching's arithmetic (Vernon et al. 2010).
- `evaluate`, `engine`: design points run on the batch engine (local or Ray), in shards.
- `calibrate`: the waves and their outputs; `folder`: metadata and resume checks;
  `calibrated_scenario`: the commented TOML.
- `ensemble`: the non-implausible set as override dicts (for backtest and advice).
- `backtest`: the ensemble forward over a held-out window; `report`: tables and HTML.
"""
