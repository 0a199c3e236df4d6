"""Money per move: NPV per ensemble member, its spread, the odds against the status quo, regret.

- NPV over the horizon of the firm's monthly cash flows (the change of its own cash,
  `StrategyModel.own_cash`, so every operating flow the model books counts: revenue, serving,
  salaries, localisation, compliance, offices; equity raised and a parent's funding do not),
  counted from the decision date, each month t after it discounted by (1 + r)^(-t / 12);
  by default nothing after the horizon. With an exit multiple m (`--exit-multiple`), the
  firm's value at the horizon H is added as growth firms are valued, m x its revenue over
  the horizon's last 12 months, discounted by (1 + r)^(-H / 12): a move that buys revenue
  beyond the horizon is worth that revenue's price, not only its first months' cash. With a
  value per weekly user v (`--exit-per-weekly-user`), the firm's value at the horizon is v x
  its weekly users then (its users x the member's weekly_active_share), discounted alike: how
  OpenAI's investors priced it, about $600 a weekly user in two rounds
  (`USD_PER_WEEKLY_USER_SOURCE`). One exit value or the other, not both.
- p10 / p50 / p90 across the members; P(beats status quo) = share of members where the
  move's NPV is above the status quo's in the same member (common random numbers).
- Regret of a move in a member = the best NPV of any move there minus its own (Savage 1951);
  the robust choice has the least maximum regret, the best expected the highest mean NPV.
- Scenario discovery (Bryant and Lempert 2010, with `simulator.reports.prim`): where in
  the uncertain parameters the top move loses to the status quo (or the status quo, when
  it is the top, to the best other move of the member).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from simulator.reports.prim import PrimBox, peel

# Cost of capital of listed software companies, order of 10% a year: Damodaran (NYU Stern),
# "Cost of Capital by Sector (US)", January 2025, software (system & application) ~9-10%.
# A private AI lab's investors ask for more; pass --discount-rate to see the ranking move.
DISCOUNT_RATE_ANNUAL = 0.10
DISCOUNT_RATE_SOURCE = ("Damodaran (NYU Stern), Cost of Capital by Sector (US), January 2025: "
                        "software (system & application), about 10% a year")


NO_EXIT = "none: the value is the NPV of cash over the horizon"
# Post-money over weekly users at each of OpenAI's last two rounds before 2025-12 (data/
# SOURCES.md, "Funding rounds"): $157B at about 250M (October 2024; 250M as the FT reported
# on 30 November 2024) = $628; $300B at 500M (OpenAI's statement of 31 March 2025) = $600.
USD_PER_WEEKLY_USER_SOURCE = ("OpenAI's rounds: $157B post-money at about 250M weekly users "
                              "(October 2024) and $300B at 500M (March 2025), $628 and $600 "
                              "a weekly user")


@dataclass(frozen=True)
class Discount:
    """The discount rate the values use, the exit multiple at the horizon, their sources."""

    annual: float = DISCOUNT_RATE_ANNUAL
    source: str = DISCOUNT_RATE_SOURCE
    exit_multiple: float = 0.0  # firm value / last 12 months' revenue at the horizon
    exit_per_weekly_user: float = 0.0  # firm value / weekly users at the horizon, US dollars
    exit_source: str = NO_EXIT

    def with_exit(self, multiple: float = 0.0, per_weekly_user: float = 0.0) -> Discount:
        """This discount with an exit value (`--exit-multiple` or `--exit-per-weekly-user`).

        Raises:
            ValueError: both are given (two prices of the same firm).
        """
        if multiple and per_weekly_user:
            raise ValueError("expected one exit value: --exit-multiple or "
                             "--exit-per-weekly-user, not both")
        if multiple:
            return replace(self, exit_multiple=multiple, exit_source=(
                f"--exit-multiple {multiple:g} x the last 12 months' revenue"))
        if per_weekly_user:
            return replace(self, exit_per_weekly_user=per_weekly_user, exit_source=(
                f"--exit-per-weekly-user ${per_weekly_user:g} x the weekly users at the "
                f"horizon ({USD_PER_WEEKLY_USER_SOURCE})"))
        return self

    def value(self, cash: np.ndarray, initial_cash: float | np.ndarray,
              exit_revenue: np.ndarray, exit_weekly_users: np.ndarray | float = 0.0
              ) -> np.ndarray:
        """NPV of the cash over the horizon plus the discounted exit value ([...])."""
        horizon = cash.shape[-1]
        exit_value = ((self.exit_multiple * exit_revenue
                       + self.exit_per_weekly_user * np.asarray(exit_weekly_users))
                      * (1.0 + self.annual) ** (-horizon / 12))
        return npv(cash, initial_cash, self.annual) + exit_value


def npv(cash: np.ndarray, initial_cash: float | np.ndarray, rate: float) -> np.ndarray:
    """NPV of the monthly cash changes: `cash` [..., months] at each month's end -> [...].

    `initial_cash` is the cash before the first month (the decision date's), one figure or
    one per leading index (broadcast against `cash[..., 0]`); month 1 is discounted by
    (1 + r)^(-1/12), so the NPV is valued at the decision date.
    """
    first = np.broadcast_to(np.asarray(initial_cash, dtype=float), cash.shape[:-1])
    previous = np.concatenate([first[..., None], cash[..., :-1]], axis=-1)
    months = np.arange(1, cash.shape[-1] + 1)
    return ((cash - previous) * (1.0 + rate) ** (-months / 12.0)).sum(axis=-1)


def rank(names: list[str], values: np.ndarray, status_quo: int = 0) -> pd.DataFrame:
    """One row per move, best expected first: quantiles, P(beats status quo), regret."""
    regret = values.max(axis=0, keepdims=True) - values
    beats = (values > values[status_quo]).mean(axis=1)
    beats[status_quo] = np.nan  # the status quo cannot beat itself
    gain = values - values[status_quo]
    frame = pd.DataFrame({
        "move": names,
        "npv_mean": values.mean(axis=1),
        "npv_p10": np.quantile(values, 0.1, axis=1),
        "npv_p50": np.quantile(values, 0.5, axis=1),
        "npv_p90": np.quantile(values, 0.9, axis=1),
        "p_beats_status_quo": beats,
        "max_regret": regret.max(axis=1),
        "gain_p50": np.quantile(gain, 0.5, axis=1),  # median paired NPV gain over status quo
    })
    frame["best_expected"] = frame.index == int(np.argmax(frame["npv_mean"]))
    # Least maximum regret; ties go to the higher mean NPV.
    robust = min(range(len(names)), key=lambda i: (frame["max_regret"][i], -frame["npv_mean"][i]))
    frame["robust"] = frame.index == robust
    return frame.sort_values(["npv_mean", "move"], ascending=[False, True], kind="stable")


@dataclass(frozen=True)
class Discovery:
    """Where the top move loses: a PRIM box, or why there is none."""

    move: str
    against: str  # what it loses to
    losses: float  # share of members where it loses
    box: PrimBox | None
    note: str = ""


def discover(names: list[str], values: np.ndarray, x: np.ndarray, parameters: list[str],
             top: int, status_quo: int = 0) -> Discovery:
    """PRIM over the members' parameters for "the top move loses"."""
    if top != status_quo:
        against, baseline = names[status_quo], values[status_quo]
    else:
        others = np.delete(values, status_quo, axis=0)
        against = "the best other move"
        baseline = others.max(axis=0) if len(others) else values[status_quo]
    loses = values[top] < baseline
    share = float(loses.mean())
    if not parameters:
        return Discovery(names[top], against, share, None,
                         "no uncertain parameters: the members differ only in their seeds")
    if not loses.any() or loses.all():
        where = "in no member" if not loses.any() else "in every member"
        return Discovery(names[top], against, share, None, f"it loses {where}: no range to find")
    return Discovery(names[top], against, share, peel(x, loses, parameters))
