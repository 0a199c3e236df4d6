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
- `offices`: which summary regions a firm's regional office serves ([firms, regions]).
- `hiring`: the countries a firm hires in (home, its strategy's list, offices and labs).
- `bloc_compliant`: whether the firm has complied once with the EU's regimes.
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
    """Levels, clocks, pending launches, offices, hiring places and bloc compliance."""

    level: np.ndarray  # [F, C] int8, a Level
    since: np.ndarray  # [F, C] month the level was reached
    pending_until: np.ndarray  # [F, C] month a launch completes, inf when none is pending
    offices: np.ndarray  # [F, R] bool, a regional office serving the summary region
    region_mask: np.ndarray  # [R, C] bool, the countries of each summary region
    hiring: np.ndarray  # [F, C] bool
    bloc_compliant: np.ndarray  # [F] bool

    @classmethod
    def start(cls, home: np.ndarray, home_is_market: np.ndarray, region_mask: np.ndarray,
              hiring: np.ndarray, bloc_compliant: np.ndarray) -> Footprint:
        """Every firm at home with its lab (where home is a market), nothing abroad."""
        n_firms, n = hiring.shape
        level = np.zeros((n_firms, n), dtype=np.int8)
        level[np.arange(n_firms), home] = np.where(home_is_market, Level.LAB, Level.ABSENT)
        return cls(level, np.zeros((n_firms, n)), np.full((n_firms, n), np.inf),
                   np.zeros((n_firms, region_mask.shape[0]), dtype=bool), region_mask,
                   hiring, bloc_compliant)

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
        """An office in the country, serving every summary region the country is in."""
        self.offices[firm, self.region_mask[:, country]] = True
        self.establish(firm, country, Level.OFFICE, month)

    def exit(self, firms: np.ndarray) -> None:
        """Firms (a [F] bool mask) leave every market and drop pending launches."""
        self.level[firms] = Level.ABSENT
        self.offices[firms] = False
        self.pending_until[firms] = np.inf

    def served(self) -> np.ndarray:
        """[F, C] bool: countries where the firm has reached at least API level."""
        return self.level > Level.ABSENT

    def effective_level(self) -> np.ndarray:
        """Level per firm and country, a regional office lifting its region's markets."""
        covered = (self.offices.astype(np.int8) @ self.region_mask.astype(np.int8)) > 0
        lifted = np.where(covered & self.served(), Level.OFFICE, Level.ABSENT)
        return np.maximum(self.level, lifted).astype(np.int8)

    def abroad(self, home: np.ndarray, alive: np.ndarray) -> np.ndarray:
        """[F, C] bool: countries outside home where a live firm is established."""
        out = self.served() & alive[:, None]
        out[np.arange(len(home)), home] = False
        return out


def per_level(table, level: np.ndarray | int) -> np.ndarray:
    """A `Parameters.commitment_*` figure at each level (absent reads as API level)."""
    return np.asarray(table)[np.maximum(np.asarray(level) - 1, 0)]
