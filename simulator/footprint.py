"""The firms' footprint in each country: one owner of establishment levels and sites.

State over firms x countries, kept the mesa-frames way (one object holds the arrays, a few
vectorised verbs change them; agents decide and call the verbs; market, talent and finance
read them):

- `level`: the establishment chain (`Level`): absent, API access only, a local partner or
  localised product, a sales office with data residency, a local lab or data centre. Each
  step costs a one-off set-up and a monthly running cost and raises the revenue per user the
  firm earns there (`Parameters.commitment_*`, looked up with `per_level`).
- `since`: the month the current level was reached (the Uppsala experience clock).
- `pending_until`: the month a launched country's compliance delay ends (inf: none pending).
- `offices`: the countries a firm has a sales office in ([firms, countries]). An office
  sells in its own country (level 3 there) and, by `spillover`, a little in the other
  served countries of its summary region (`effective_level`): Tokyo, Seoul and Singapore
  are distinct decisions, and a second office in a region still adds its own country.
- `hiring`: the countries a firm hires in (home, its strategy's list, offices and labs).
- `bloc_compliant`: whether the firm has complied once with the EU's regimes.
- `resident`: countries whose organisations can keep their data in the country or its
  bloc with the firm (its home, and where it has a data region; an EU region serves the
  EU), and `region_cost`, the monthly cost of each data region.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np


class Level(IntEnum):
    """Establishment chain of a firm in a country (ODD 3.3)."""

    ABSENT = 0
    API = 1  # served from abroad, API access only
    PARTNER = 2  # a local partner or localised product
    OFFICE = 3  # a sales office with data residency
    LAB = 4  # a local lab or data centre; a firm's home country hosts its lab


@dataclass
class Footprint:
    """Levels, clocks, pending launches, offices, hiring places, compliance, residency."""

    level: np.ndarray  # [F, C] int8, a Level
    since: np.ndarray  # [F, C] month the level was reached
    pending_until: np.ndarray  # [F, C] month a launch completes, inf when none is pending
    offices: np.ndarray  # [F, C] bool, a sales office in the country
    region_mask: np.ndarray  # [R, C] bool, the countries of each summary region
    hiring: np.ndarray  # [F, C] bool
    bloc_compliant: np.ndarray  # [F] bool
    spillover: float  # share of an office's lift its region's other countries get
    bloc: np.ndarray  # [C] bool, an EU member (data kept anywhere in the bloc stays there)
    resident: np.ndarray  # [F, C] bool
    region_cost: np.ndarray  # [F, C] US dollars a month

    @classmethod
    def start(cls, home: np.ndarray, home_is_market: np.ndarray, region_mask: np.ndarray,
              hiring: np.ndarray, bloc_compliant: np.ndarray, spillover: float,
              bloc: np.ndarray) -> Footprint:
        """Every firm at home with its lab (where home is a market), nothing abroad."""
        n_firms, n = hiring.shape
        level = np.zeros((n_firms, n), dtype=np.int8)
        level[np.arange(n_firms), home] = np.where(home_is_market, Level.LAB, Level.ABSENT)
        footprint = cls(level, np.zeros((n_firms, n)), np.full((n_firms, n), np.inf),
                        np.zeros((n_firms, n), dtype=bool), region_mask, hiring,
                        bloc_compliant, spillover, bloc, np.zeros((n_firms, n), dtype=bool),
                        np.zeros((n_firms, n)))
        for firm, country in enumerate(home):
            footprint.open_data_region(firm, int(country), 0.0)  # its home data centres
        return footprint

    def candidates(self, firm: int) -> np.ndarray:
        """[C] bool: countries the firm is neither in nor launching in."""
        return (self.level[firm] == Level.ABSENT) & ~np.isfinite(self.pending_until[firm])

    def launch(self, firm: int, country: int, until: int, in_bloc: bool) -> None:
        """Start a country's compliance delay; complying in a bloc country complies once."""
        self.pending_until[firm, country] = until
        self.bloc_compliant[firm] |= in_bloc

    def complete_entries(self, month: int, alive: np.ndarray) -> None:
        """Launches whose delay has ended serve from API level (a lab may be there already)."""
        done = (self.pending_until <= month) & alive[:, None]
        self.level[done] = np.maximum(self.level[done], Level.API)
        self.since[done] = month
        self.pending_until[done] = np.inf

    def establish(self, firm: int, country: int, level: Level, month: int) -> None:
        """Raise the firm to `level` in the country; offices and labs hire locally."""
        self.level[firm, country] = level
        self.since[firm, country] = month
        if level >= Level.OFFICE:
            self.hiring[firm, country] = True

    def open_office(self, firm: int, country: int, month: int) -> None:
        """A sales office in the country."""
        self.offices[firm, country] = True
        self.establish(firm, country, Level.OFFICE, month)

    def open_data_region(self, firm: int, country: int, monthly_usd: float) -> None:
        """A serving region in the country: its organisations' data stays there.

        An EU member's region keeps the data in the bloc, so it serves every member.
        """
        self.resident[firm, country] = True
        if self.bloc[country]:
            self.resident[firm] |= self.bloc
        self.region_cost[firm, country] = monthly_usd

    def exit(self, firms: np.ndarray) -> None:
        """Firms (a [F] bool mask) leave every market and drop pending launches."""
        self.level[firms] = Level.ABSENT
        self.offices[firms] = False
        self.region_cost[firms] = 0.0
        self.pending_until[firms] = np.inf

    def served(self) -> np.ndarray:
        """[F, C] bool: countries where the firm has reached at least API level."""
        return self.level > Level.ABSENT

    def covered(self) -> np.ndarray:
        """[F, C] bool: countries whose summary region holds one of the firm's offices."""
        regions = (self.offices.astype(np.int32) @ self.region_mask.T.astype(np.int32)) > 0
        return (regions.astype(np.int32) @ self.region_mask.astype(np.int32)) > 0

    def effective_level(self, covered: np.ndarray | None = None) -> np.ndarray:
        """Level per firm and country, with offices' spill-over (float).

        Below office level, a served country whose region holds an office of the firm
        (`covered`, default `covered()`) gets `spillover` of the way up to it.
        """
        lift = self.covered() if covered is None else covered
        below = self.served() & (self.level < Level.OFFICE)
        return self.level + np.where(below & lift, self.spillover, 0.0) * (
            Level.OFFICE - self.level)

    def abroad(self, home: np.ndarray, alive: np.ndarray) -> np.ndarray:
        """[F, C] bool: countries outside home where a live firm is established."""
        out = self.served() & alive[:, None]
        out[np.arange(len(home)), home] = False
        return out


def per_level(table, level: np.ndarray | float) -> np.ndarray:
    """A `Parameters.commitment_*` figure at each level (absent reads as API level).

    A level between two steps (an office's spill-over) interpolates between them.
    """
    table = np.asarray(table, dtype=float)
    return np.interp(np.maximum(np.asarray(level, dtype=float) - 1, 0),
                     np.arange(table.size), table)
