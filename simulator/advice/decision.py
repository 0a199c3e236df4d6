"""The decision date of an advice: the month moves are taken in, and the horizon valued from it.

`simulator advise --from YYYY-MM` (default: the scenario's `today`, else its start): every
ensemble member is simulated to the month before, moves take effect from it (or 6 or 12
months later), and the NPV counts the firm's cash from it, discounted from it, over
`--horizon` months (default: to the scenario's end).
"""

from __future__ import annotations

from dataclasses import dataclass

from plumbing.errors import InputError
from simulator.scenario import Scenario
from simulator.scenario.firm import check_month


@dataclass(frozen=True)
class Decision:
    """When the firm decides: a model month (1 = the scenario's start) and what is valued."""

    date: str  # YYYY-MM, the first month the moves can change
    month: int  # its model month, 1-based
    horizon: int  # months valued from it

    @property
    def months(self) -> int:
        """Months a run simulates: the history before the date and the horizon."""
        return self.month - 1 + self.horizon


def decide_from(scenario: Scenario, date: str | None = None,
                horizon: int | None = None) -> Decision:
    """The decision of `scenario` from `date` (default its `today`, else its start).

    Raises:
        InputError: the date is not a YYYY-MM month of the scenario (before its start or
            after its last month), naming the limits.
    """
    date = date or scenario.today or scenario.start_date
    try:
        check_month(date)
    except ValueError as exc:
        raise InputError(f"--from: {exc}") from None
    last = scenario.month_dates(scenario.months)[-1].strftime("%Y-%m")
    month = scenario.month_of(date)
    if not 1 <= month <= scenario.months:
        raise InputError(f"--from: expected a month from {scenario.start_date} (the scenario's "
                         f"start_date) to {last} (its last month), got {date}")
    return Decision(date, month, horizon or scenario.months - month + 1)
