"""The tornado of the top move: which uncertain parameter its gain depends on, and which way.

Constructed advice folders (advice.parquet, members.parquet as `simulator advise` writes
them) where the gain over the status quo is a known function of the members' parameters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulator.advice.tornado import from_folder, tornado

NAMES = ["beta_quality", "adoption_ceiling", "compute.gpu_usd_per_hour"]


def write_advice(folder, ranked, npv_of):
    """advice.parquet ranked as given; members.parquet with each move's NPV per member."""
    rng = np.random.default_rng(3)
    members = 40
    # Latin-hypercube-like: each parameter a shuffled even grid, as `sampled` draws them.
    x = np.column_stack([rng.permutation(np.linspace(0, 1, members)) for _ in NAMES])
    rows = []
    for move in ranked:
        npv = np.broadcast_to(npv_of(move, x), (members,))
        for k in range(members):
            rows.append({"move": move, "member": k, "seed": 100 + k, "npv": npv[k],
                         **{n: x[k, j] for j, n in enumerate(NAMES)}})
    folder.mkdir()
    pd.DataFrame({"move": ranked}).to_parquet(folder / "advice.parquet")
    pd.DataFrame(rows).to_parquet(folder / "members.parquet")
    return x


def test_the_one_parameter_the_gain_depends_on_is_the_top_bar_with_its_sign(tmp_path):
    # Gain of enter-JP = 5e6 - 8e6 * adoption_ceiling: more adoption hurts this move.
    def npv_of(move, x):
        base = 1e8 + 3e7 * x[:, 0]  # the status quo itself moves with beta_quality
        return base + (5e6 - 8e6 * x[:, 1] if move == "enter-JP" else 0.0)

    write_advice(tmp_path / "a", ["enter-JP", "status-quo", "price-ppp"], npv_of)
    found = from_folder(tmp_path / "a")
    assert found.move == "enter-JP" and not found.top_is_status_quo
    top = found.bars[0]
    assert top.parameter == "adoption_ceiling"
    assert top.swing < 0 and top.gain_at_low > top.gain_at_high
    # The swing is the slope times the decile spread: -8e6 x (p90 - p10) of the grid.
    assert top.swing == pytest.approx(-8e6 * (top.high_value - top.low_value), rel=1e-9)
    # The others do not move it (beta_quality moves both NPVs alike): only what chance
    # correlation of the samples lends them.
    assert all(abs(b.swing) < 0.3 * abs(top.swing) for b in found.bars[1:])


def test_a_positive_dependence_and_the_status_quo_on_top(tmp_path):
    def npv_of(move, x):
        return 2e8 + (4e6 * x[:, 2] - 1e7 if move == "office-DE" else 0.0)

    write_advice(tmp_path / "b", ["status-quo", "office-DE"], npv_of)
    found = from_folder(tmp_path / "b")
    assert found.move == "office-DE" and found.top_is_status_quo
    assert found.bars[0].parameter == "compute.gpu_usd_per_hour" and found.bars[0].swing > 0


def test_no_bars_without_parameters_or_members():
    assert tornado("m", np.ones(5), np.zeros((5, 0)), []).note.startswith("no uncertain")
    assert "at least" in tornado("m", np.ones(2), np.ones((2, 1)), ["a"]).note
    assert tornado("m", np.arange(4.0), np.ones((4, 1)), ["a"]).bars == []
