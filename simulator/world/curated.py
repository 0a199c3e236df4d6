"""Curated tables shipped in `data/`: AI talent, regulation and availability rules.

Each row carries its source (publisher, title, https URL, year of publication); see
`data/SOURCES.md`. Rows are validated on load: a bad cell raises InputError naming the file,
the line and the column.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from hub import cldr
from plumbing.shipped import shipped_path
from plumbing.tables import read_table

TALENT_METRICS = frozenset(
    {"top_tier_origin_share", "elite_origin_share", "top_tier_workplace_share"}
)
FINE_RULES = frozenset({"higher_of", "percent_capped_at_amount", "amount_only", "none"})


def _known_area(code: str) -> bool:
    # A country (ISO alpha-2) or a CLDR grouping / UN M.49 region such as 'EU' or '150'.
    return code in cldr.territory_info() or code in cldr.containment()


def _is_date(text: str | None) -> bool:
    if text is None:
        return True
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class TalentRow:
    """Share of AI researchers linked to a country (by origin or workplace) in a year."""

    territory: str  # ISO alpha-2, or a CLDR/M.49 group such as '150' (Europe)
    metric: str  # one of TALENT_METRICS
    share: float  # 0..1
    data_year: int
    note: str
    source_publisher: str
    source_title: str
    source_url: str
    year: int

    @staticmethod
    def check(row: dict) -> list[tuple[str, str]]:
        """Problems with one row's values, as (column, what was expected)."""
        problems = []
        if not _known_area(row["territory"]):
            problems.append(("territory", "expected an ISO 3166 alpha-2 code or a CLDR group"))
        if row["metric"] not in TALENT_METRICS:
            problems.append(("metric", f"expected one of {sorted(TALENT_METRICS)}"))
        if not 0 <= row["share"] <= 1:
            problems.append(("share", f"expected a share between 0 and 1, got {row['share']}"))
        return problems


@dataclass(frozen=True)
class RegulationRow:
    """One obligation of a regulatory regime: dates, maximum fines, compliance cost."""

    jurisdiction: str  # ISO alpha-2, or 'EU'
    regime: str
    kind: str  # 'ai' or 'privacy'
    obligation: str
    adopted: str  # ISO date
    applies_from: str | None  # ISO date; empty while not yet fixed
    max_fine_amount: float | None
    max_fine_currency: str | None
    max_fine_turnover_pct: float | None  # % of worldwide (or national) annual turnover
    fine_rule: str  # how amount and percentage combine, one of FINE_RULES
    compliance_cost_low: float | None
    compliance_cost_high: float | None
    compliance_cost_currency: str | None
    compliance_cost_basis: str | None
    source_publisher: str
    source_title: str
    source_url: str
    year: int

    @staticmethod
    def check(row: dict) -> list[tuple[str, str]]:
        """Problems with one row's values, as (column, what was expected)."""
        problems = []
        if not _known_area(row["jurisdiction"]):
            problems.append(("jurisdiction", "expected an ISO 3166 alpha-2 code or 'EU'"))
        if row["kind"] not in ("ai", "privacy"):
            problems.append(("kind", "expected 'ai' or 'privacy'"))
        for column in ("adopted", "applies_from"):
            if not _is_date(row[column]):
                problems.append((column, f"expected a YYYY-MM-DD date, got {row[column]!r}"))
        amount, percent = row["max_fine_amount"], row["max_fine_turnover_pct"]
        if amount is not None and amount < 0:
            problems.append(("max_fine_amount", "expected an amount >= 0, or empty"))
        if percent is not None and not 0 <= percent <= 100:
            problems.append(("max_fine_turnover_pct", "expected a percentage 0..100, or empty"))
        if row["fine_rule"] not in FINE_RULES:
            problems.append(("fine_rule", f"expected one of {sorted(FINE_RULES)}"))
        low, high = row["compliance_cost_low"], row["compliance_cost_high"]
        if (low is None) != (high is None) or (low is not None and not 0 <= low <= high):
            problems.append(("compliance_cost_high", "expected 0 <= low <= high, or both empty"))
        return problems

    @property
    def delay_months(self) -> int | None:
        """Months between adoption and application: the lead time firms get to comply."""
        if self.applies_from is None:
            return None
        start = datetime.date.fromisoformat(self.adopted)
        end = datetime.date.fromisoformat(self.applies_from)
        return (end.year - start.year) * 12 + end.month - start.month


@cache
def load_talent() -> tuple[TalentRow, ...]:
    """The AI talent table (data/talent.csv)."""
    return tuple(read_table(shipped_path("talent.csv"), TalentRow))


@cache
def load_regulation() -> tuple[RegulationRow, ...]:
    """The regulation table (data/regulation.csv)."""
    return tuple(read_table(shipped_path("regulation.csv"), RegulationRow))


AVAILABILITY_RULES = frozenset({"block", "sanction", "investment"})
AVAILABILITY_ACTIVITIES = frozenset({"serve", "api", "hire", "office", "lab", "*"})


@dataclass(frozen=True)
class AvailabilityRow:
    """What firms of some origin may not do in a country (serve, hire, ...), and since when."""

    country: str  # ISO alpha-2
    firm_home: str  # '*' = every firm from abroad; 'EU' = the bloc's firms; else a country
    activity: str  # one of AVAILABILITY_ACTIVITIES (simulator.availability)
    rule: str  # one of AVAILABILITY_RULES
    start: str | None  # ISO date; empty = before any simulated month
    end: str | None  # ISO date the rule was lifted; empty = still in force
    note: str
    source_publisher: str
    source_title: str
    source_url: str
    year: int
    checked: str  # how and when the row was checked against its source (data/SOURCES.md)

    @staticmethod
    def check(row: dict) -> list[tuple[str, str]]:
        """Problems with one row's values, as (column, what was expected)."""
        problems = []
        if row["country"] not in cldr.territory_info():
            problems.append(("country", "expected an ISO 3166 alpha-2 code"))
        if row["firm_home"] not in ("*", "EU") and row["firm_home"] not in cldr.territory_info():
            problems.append(("firm_home", "expected '*', 'EU' or an ISO 3166 alpha-2 code"))
        if row["activity"] not in AVAILABILITY_ACTIVITIES:
            problems.append(("activity", f"expected one of {sorted(AVAILABILITY_ACTIVITIES)}"))
        if row["rule"] not in AVAILABILITY_RULES:
            problems.append(("rule", f"expected one of {sorted(AVAILABILITY_RULES)}"))
        for column in ("start", "end"):
            if not _is_date(row[column]):
                problems.append((column, f"expected a YYYY-MM-DD date, got {row[column]!r}"))
        return problems


def read_availability(path: Path) -> tuple[AvailabilityRow, ...]:
    """The constraints table at `path`; InputError naming file, row and column when bad."""
    return tuple(read_table(path, AvailabilityRow))


@cache
def load_availability() -> tuple[AvailabilityRow, ...]:
    """Sanctions, blocks and security rules on where firms may operate (data/availability.csv)."""
    return read_availability(shipped_path("availability.csv"))
