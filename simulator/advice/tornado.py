"""What the top move's value depends on: a tornado over the ensemble's uncertain parameters.

Recipe (one-at-a-time regression over the members, no new runs): for the top-ranked move
(the best other move when the status quo ranks first) each member's gain is its NPV under
the move less its NPV under the status quo (common random numbers, so the difference is the
move's doing). For each uncertain parameter x, the least-squares slope b of the gain on x
alone over the members; the bar runs from the gain fitted at x's 10th percentile across the
members to the gain fitted at its 90th:

    gain(q) = mean(gain) + b (q - mean(x)),   swing = b (x_p90 - x_p10)

so the bar's length is how much the move's gain changes, in dollars, as that parameter goes
from its low to its high decile, and its direction says whether more of the parameter helps
the move. The members' parameters are Latin-hypercube samples (or a calibration's
non-implausible points), close to uncorrelated, so each slope estimates that parameter's
average effect with the others averaged over; with correlated points a slope also carries
its correlates' effect. Bars are ordered by the size of the swing; a parameter that does not
vary across the members has no bar. Few members make noisy slopes: the count is reported.

`from_folder` reads an advice folder (`advice.parquet` for the ranking, `members.parquet` for
each member's NPV and parameters); `top_move_tornado` takes the same figures as arrays (the
HTML report's in-memory `Advice`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.advice.labels import STATUS_QUO

LOW, HIGH = 0.1, 0.9  # the deciles a bar runs between
MIN_MEMBERS = 3  # a slope through two points is no evidence
RECIPE = ("For the top-ranked move (the best other move when the status quo ranks first), each "
          "simulated future's gain over the status quo is regressed on one uncertain parameter "
          "at a time; a bar runs from the gain fitted at the parameter's 10th percentile across "
          "the futures to the gain at its 90th. Longest bar first: what the answer hinges on.")


@dataclass(frozen=True)
class TornadoBar:
    """One parameter's bar: its low and high decile and the move's gain fitted at each."""

    parameter: str
    low_value: float
    high_value: float
    gain_at_low: float  # USD
    gain_at_high: float  # USD

    @property
    def swing(self) -> float:
        """Change of the gain from the low to the high decile (USD; negative: it hurts)."""
        return self.gain_at_high - self.gain_at_low


@dataclass(frozen=True)
class Tornado:
    """The top move's gain over the status quo and what it depends on, largest swing first."""

    move: str
    members: int
    mean_gain: float  # USD, the centre the bars are drawn around
    bars: list[TornadoBar]
    top_is_status_quo: bool  # the status quo ranked first: `move` is the best other move
    note: str = ""  # why there are no bars, else ""


def tornado(move: str, gains: np.ndarray, parameters: np.ndarray, names: list[str],
            top_is_status_quo: bool = False) -> Tornado:
    """The tornado of one move: `gains` [members] in USD, `parameters` [members, names]."""
    gains = np.asarray(gains, dtype=float)
    x = np.asarray(parameters, dtype=float).reshape(len(gains), len(names))
    mean = float(gains.mean()) if gains.size else float("nan")
    if not names:
        note = "no uncertain parameters: the members differ only in their seeds"
        return Tornado(move, len(gains), mean, [], top_is_status_quo, note)
    if len(gains) < MIN_MEMBERS:
        note = f"{len(gains)} members: at least {MIN_MEMBERS} are needed for a slope"
        return Tornado(move, len(gains), mean, [], top_is_status_quo, note)
    bars = []
    for j, name in enumerate(names):
        column = x[:, j]
        spread = column - column.mean()
        variance = float(spread @ spread)
        if variance <= 0.0:
            continue  # the same value in every member: nothing to learn
        slope = float(spread @ (gains - mean)) / variance
        low, high = (float(v) for v in np.quantile(column, [LOW, HIGH]))
        centre = float(column.mean())
        bars.append(TornadoBar(name, low, high, mean + slope * (low - centre),
                               mean + slope * (high - centre)))
    bars.sort(key=lambda b: (-abs(b.swing), b.parameter))
    note = "" if bars else "no parameter varies across the members"
    return Tornado(move, len(gains), mean, bars, top_is_status_quo, note)


def top_move_tornado(ranked: list[str], values: dict[str, np.ndarray], parameters: np.ndarray,
                     names: list[str]) -> Tornado | None:
    """The tornado of the top-ranked move (`ranked`: best first; `values`: move -> NPVs).

    None when there is no move but the status quo.
    """
    # Here, not at the top: a Tornado unpickled in the UI's process needs only numpy.

    others = [m for m in ranked if m != STATUS_QUO]
    if not others or STATUS_QUO not in values:
        return None
    move = others[0]
    gains = np.asarray(values[move], dtype=float) - np.asarray(values[STATUS_QUO], dtype=float)
    return tornado(move, gains, parameters, names, top_is_status_quo=ranked[0] == STATUS_QUO)


def from_folder(folder: Path) -> Tornado | None:
    """The top move's tornado from an advice folder's advice.parquet and members.parquet."""
    import pyarrow.parquet as pq


    ranked = pq.read_table(folder / "advice.parquet", columns=["move"]).column(0).to_pylist()
    members = pq.read_table(folder / "members.parquet").to_pandas()
    names = [c for c in members.columns if c not in ("move", "member", "seed", "npv")]
    members = members.sort_values(["move", "member"])
    values = {move: group["npv"].to_numpy() for move, group in members.groupby("move")}
    first = members[members["move"] == STATUS_QUO]
    return top_move_tornado(ranked, values, first[names].to_numpy(dtype=float), names)
