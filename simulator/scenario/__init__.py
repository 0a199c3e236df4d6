"""Scenario files: TOML read with tomllib, validated strictly with pydantic.

A scenario names the markets, the firms with their strategies, the technology profile, the
compute prices and any parameter overrides. A bad file is refused with one message that
lists every problem as `file: dotted.key: what was expected` (`simulator.scenario.toml_check`).

Example::

    name = "two labs"
    months = 60
    markets = ["eu", "US"]

    [[firms]]
    name = "Frontier"
    home = "US"
    cash_usd = 5e9
    talent = { researchers = 500, engineers = 2000 }
    strategy = { entry_rule = "gravity" }
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from plumbing.checked import SEED_MAX
from plumbing.errors import InputError
from plumbing.shipped import shipped_path
from simulator.parameters import Parameters, parameter_names
from simulator.scenario.firm import (
    Firm,
    Name,
    StrictModel,
    check_month,
    check_place,
    territories,
)
from simulator.scenario.overrides import apply_overrides
from simulator.scenario.toml_check import parse_toml, read_user_file, require_unique, validate_toml


class Compute(StrictModel):
    """GPUs firms rent to serve, train and localise (an H100 SXM at a cloud price)."""

    # Stated ranges: a price far below any in data/gpu_prices.csv (a T4 at $0.53) or a GPU
    # far beyond any made makes tokens free, and free tokens drive usage past what a float
    # holds (cash -inf at $1e-300 an hour); the bounds leave every real GPU well inside.
    gpu_usd_per_hour: float = Field(2.5, ge=0.01, le=1e4)  # data/gpu_prices.csv: $2-4
    gpu_peak_flops: float = Field(989e12, ge=1e12, le=1e17)  # H100 SXM dense BF16 (datasheet)
    utilisation: float = Field(0.4, gt=0, le=1)  # training MFU: PaLM 46% (Chowdhery 2022)
    # Serving MFU averaged over the day: Pope et al. 2022 (Efficiently Scaling Transformer
    # Inference) reach 76% in prefill and 33% in large-batch decoding at full load; a fleet
    # sized for the daily peak (about twice the mean load) averages about half of that.
    serving_utilisation: float = Field(0.15, gt=0, le=1)
    gpus: int = Field(1024, ge=1)  # cluster size, sets how long a localisation run takes
    # Cost per FLOP falls over time: GPU price-performance doubles every ~2.5 years
    # (Hobbhahn and Besiroglu 2022, Epoch AI), a fall of 1 - 2^(-1/2.5) = 24% a year. It
    # lowers serving, training and localisation cost alike; 0 = today's prices throughout.
    cost_decline_annual: float = Field(0.24, ge=0, lt=1)


class Technology(StrictModel):
    """How the measured technology signal is read (sensitivity knobs over the profile)."""

    # Scales every tokenizer's premium over English: premium' = 1 + (premium - 1) x scale,
    # so 0 = every language costs what English does, 2 = twice the measured gap (for
    # sensitivity runs; 1 = as measured).
    token_premium_scale: float = Field(1.0, ge=0)


class RegulationOverride(StrictModel):
    """Replaces the curated compliance cost or delay of a country or bloc."""

    compliance_cost_usd: float | None = Field(None, ge=0)
    delay_months: float | None = Field(None, ge=0)


# Tables whose numeric keys may be uncertain besides the parameters (simulator.scenario.overrides
# checks the full key when a sweep or calibration applies it).
UNCERTAIN_TABLES = ("compute", "technology", "firms")


class Scenario(StrictModel):
    """A whole scenario file, validated."""

    name: Name
    description: str = ""
    seed: int = Field(0, ge=0, le=SEED_MAX)
    months: int = Field(120, ge=1, le=600)
    # Calendar month of month 1 (YYYY-MM). Default: ChatGPT's launch, November 2022, when
    # the consumer market this model simulates began.
    start_date: str = "2022-11"
    # The world's "today" (YYYY-MM): where advice decides from by default (`simulator advise
    # --from`); None is the start_date, so a scenario without it advises from its start.
    today: str | None = None
    markets: list[str] = Field(min_length=1)
    technology_profile: str | None = None  # path relative to the scenario file
    profile_size: str | None = None  # which model size of the profile to use
    compute: Compute = Compute()
    technology: Technology = Technology()
    parameters: Parameters = Parameters()
    regulation: dict[str, RegulationOverride] = Field(default_factory=dict)
    uncertain: dict[str, tuple[float, float]] = Field(default_factory=dict)
    firms: list[Firm] = Field(min_length=1)
    source: str | None = Field(None, exclude=True)  # the file it came from, set by the loader

    _markets = field_validator("markets")(lambda v: [check_place(c) for c in v])

    _start = field_validator("start_date")(lambda v: check_month(v))
    _today = field_validator("today")(lambda v: v if v is None else check_month(v))

    @field_validator("regulation")
    @classmethod
    def _regulation_keys(cls, value: dict) -> dict:
        for key in value:
            if key != "EU" and key not in territories():
                raise ValueError(f"expected 'EU' or ISO 3166 alpha-2 codes as keys, got {key!r}")
        return value

    @field_validator("uncertain")
    @classmethod
    def _uncertain_ranges(cls, value: dict) -> dict:
        known = parameter_names()
        for key, (low, high) in value.items():
            if key not in known and key.split(".")[0] not in UNCERTAIN_TABLES:
                raise ValueError(f"expected parameter names ({', '.join(known)}) or dotted keys "
                                 f"under {', '.join(UNCERTAIN_TABLES)}, got {key!r}")
            if not low < high:
                raise ValueError(f"{key}: expected [low, high] with low < high")
        return value

    @model_validator(mode="after")
    def _unique_firms(self) -> Scenario:
        require_unique("firm", [firm.name for firm in self.firms])
        return self

    def profile_path(self) -> Path:
        """The technology profile this scenario uses (the shipped one by default)."""
        if self.technology_profile is None:

            try:
                return shipped_path("technology_profile.parquet")
            except FileNotFoundError:
                raise InputError(
                    f"{self.source or self.name}: technology_profile: not set and no shipped "
                    "profile is installed; expected a profile written by `hub profile` (set "
                    "technology_profile in the scenario, or pass --profile)"
                ) from None
        path = Path(self.technology_profile).expanduser()
        if not path.is_absolute() and self.source is not None:
            path = Path(self.source).parent / path
        return path

    def month_of(self, text: str) -> int:
        """The simulated month (1-based) of calendar month `text` (YYYY-MM)."""
        (year, month), (y0, m0) = ((int(x) for x in t.split("-"))
                                   for t in (text, self.start_date))
        return (year - y0) * 12 + month - m0 + 1

    def month_dates(self, months: int) -> list[date]:
        """First day of the calendar month of each simulated month 1..`months`."""
        year, month = (int(part) for part in self.start_date.split("-"))
        first = year * 12 + month - 1
        return [date((first + m) // 12, (first + m) % 12 + 1, 1) for m in range(months)]

    def digest(self) -> str:
        """Short content hash: equal scenarios give equal run ids."""
        text = self.model_dump_json(exclude={"source"})
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def parse_scenario(text: str, path: str | Path = "<scenario>",
                   assignments: Iterable[str] = ()) -> Scenario:
    """Validate scenario TOML text with `--set KEY=VALUE` overrides applied.

    The overrides are applied to the text's document before validation, so a problem in
    either is reported the same way (`simulator.scenario.overrides`); InputError lists every
    problem at once.
    """
    assignments = list(assignments)
    if not assignments:
        return validate_toml(text, path, Scenario, "scenario")
    return apply_overrides(parse_toml(text, path), assignments, path, Scenario)


def load_scenario(path: str | Path, assignments: Iterable[str] = ()) -> Scenario:
    """Read and validate a scenario file, with `--set KEY=VALUE` overrides applied."""
    path = Path(path)
    return parse_scenario(read_user_file(path, "scenario"), path, assignments)
