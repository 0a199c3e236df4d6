"""Scenario files: TOML read with tomllib, validated strictly with pydantic.

A scenario names the markets, the firms with their strategies, the technology profile, the
compute prices and any parameter overrides. A bad file is refused with one message that
lists every problem as `file: dotted.key: what was expected` (`simulator.toml_check`).

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
import re
from collections.abc import Iterable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from plumbing.checked import SEED_MAX, CheckedModel
from plumbing.errors import InputError
from simulator.overrides import apply_overrides
from simulator.parameters import Parameters, parameter_names
from simulator.toml_check import parse_toml, read_user_file, require_unique, validate_toml

Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][\w .&'-]*$")]


class StrictModel(CheckedModel):
    """Refuses unknown keys (a typo must not pass silently) and unchecked numbers.

    Every number is finite, of its field's type and within its range (`plumbing.checked`).
    """


@cache
def _territories() -> frozenset[str]:
    from simulator.world.countries import load_countries

    return frozenset(c.iso2 for c in load_countries())


@cache
def _region_names() -> tuple[str, ...]:
    from hub.regions import BUILTIN

    return tuple(BUILTIN)


def _check_country(code: str) -> str:
    if code not in _territories():
        raise ValueError(f"expected an ISO 3166 alpha-2 country code such as 'DE', got {code!r}")
    return code


FIRST_YEAR, LAST_YEAR = 2000, 2100  # calendar months a scenario may name (600 months on, 2150)


def _check_month(text: str) -> str:
    if not (re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", text)
            and FIRST_YEAR <= int(text[:4]) <= LAST_YEAR):
        raise ValueError(f"expected a calendar month YYYY-MM from {FIRST_YEAR}-01 to "
                         f"{LAST_YEAR}-12 such as 2022-11, got {text!r}")
    return text


def _check_place(code: str) -> str:
    if code in _region_names() or code in _territories():
        return code
    raise ValueError(
        f"expected a region ({', '.join(_region_names())}) or an ISO 3166 alpha-2 country "
        f"code such as 'DE', got {code!r}"
    )


class Talent(StrictModel):
    """Headcount a firm starts with, employed in its home country."""

    researchers: int = Field(ge=0)
    engineers: int = Field(ge=0)


class Hiring(StrictModel):
    """Where and how many people a firm hires, and what it pays above the local market."""

    countries: list[str] = Field(default_factory=list)  # regions or countries; [] = home
    target_researchers: int = Field(0, ge=0)
    target_engineers: int = Field(0, ge=0)
    salary_premium: float = Field(0.0, ge=-0.5, le=2.0)

    _places = field_validator("countries")(lambda v: [_check_place(c) for c in v])


class Pricing(StrictModel):
    """Consumer price; `ppp_adjusted` scales it by purchasing power (to ppp_price_floor).

    With `review_by_margin` the firm re-chooses, country by country every price review,
    between its list price and the PPP-adjusted one, whichever has the larger expected
    margin (simulator.agents); its API price is cost-plus, the dearest server held to the
    next dearest one's price (simulator.economics.api_prices).
    """

    usd_per_month: float = Field(20.0, ge=0)
    ppp_adjusted: bool = False
    review_by_margin: bool = False
    # Regional price tiers: US dollars a month in a region or country instead of
    # usd_per_month, in the order written (a country after its region keeps its own).
    tiers: dict[str, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)

    _tiers = field_validator("tiers")(lambda v: {_check_place(k): x for k, x in v.items()})


class Localisation(StrictModel):
    """Localise for `region` (a profile region) from month `start_month`.

    `rule = "scheduled"` starts then (cash allowing); `"margin"` starts then or later, once
    the localised model's expected margin over the decision horizon pays for it. Localising
    is continued pre-training (quality); `vocab_tokens` also extends the tokenizer (cost).
    """

    region: str
    start_month: int = Field(0, ge=0)
    rule: Literal["scheduled", "margin"] = "scheduled"
    # Tokens added to the firm's tokenizer for the region's languages, as measured in
    # data/vocab_extension.csv (simulator.vocab_extension); 0 keeps the tokenizer.
    vocab_tokens: int = Field(0, ge=0, le=1_000_000)


class Site(StrictModel):
    """An office or research lab the firm opens in a named country, from a month on.

    It opens once the firm serves the country there and its cash covers the setup, beside
    the offices and labs its location choice places (`simulator.offices`).
    """

    country: str
    month: int = Field(0, ge=0)
    kind: Literal["office", "lab"] = "office"

    _country = field_validator("country")(lambda v: _check_country(v))


class DataRegion(StrictModel):
    """A serving region in a country, from a month on: organisations' data stays there.

    `own` is the firm's data centre; `cloud` a cloud partner's region (Azure, AWS, Google
    Cloud host models in-country); both count the same for buyers, at different costs
    (`Parameters.data_region_*_monthly_usd`).
    """

    country: str
    month: int = Field(0, ge=0)
    via: Literal["own", "cloud"] = "cloud"

    _country = field_validator("country")(lambda v: _check_country(v))


class Rollout(StrictModel):
    """The firm's own launch calendar: it serves `place` from `start` (YYYY-MM), not before.

    History's firms chose when to open a place apart from any regulator's delay (Claude in
    the EU in May 2024, ten months after the US; Meta AI in the EU in March 2025).
    """

    place: str
    start: str

    _place = field_validator("place")(lambda v: _check_place(v))
    _start = field_validator("start")(lambda v: _check_month(v))


class Strategy(StrictModel):
    """How a firm enters markets, commits, localises, hires and prices."""

    # digital: launched in every permitted country after its compliance delay (margin sets
    # the order); uppsala / gravity / explicit: one market at a time in that order.
    entry_rule: Literal["digital", "uppsala", "gravity", "explicit"] = "digital"
    entry_order: list[str] = Field(default_factory=list)  # explicit rule: regions/countries
    # The firm's own unsupported list: regions/countries it never serves.
    exclude: list[str] = Field(default_factory=list)
    rollout: list[Rollout] = Field(default_factory=list, max_length=50)
    entries_per_year: float = Field(6.0, gt=0, le=120)
    max_commitment: int = Field(3, ge=1, le=4)
    offices: int = Field(0, ge=0, le=20)  # regional offices it may open (simulator.offices)
    labs: int = Field(0, ge=0, le=10)  # research labs abroad it may open (simulator.offices)
    sites: list[Site] = Field(default_factory=list)  # offices or labs in named countries
    data_regions: list[DataRegion] = Field(default_factory=list, max_length=50)
    localise: list[Localisation] = Field(default_factory=list)
    hiring: Hiring = Hiring()
    pricing: Pricing = Pricing()

    _places = field_validator("entry_order", "exclude")(lambda v: [_check_place(c) for c in v])

    @model_validator(mode="after")
    def _explicit_needs_order(self) -> Strategy:
        if self.entry_rule == "explicit" and not self.entry_order:
            raise ValueError("entry_rule 'explicit' expects a non-empty entry_order")
        return self


class TokenizerChange(StrictModel):
    """A model generation that serves with another production tokenizer from a month on.

    OpenAI moved from cl100k_base to o200k_base with GPT-4o (May 2024).
    """

    month: str  # YYYY-MM, first month served with it
    tokenizer: str  # a production tokenizer of the profile

    _month = field_validator("month")(lambda v: _check_month(v))


class FirmModel(StrictModel):
    """The model family a firm serves (simulator.compute prices it from these).

    Defaults: a frontier-class model of ~2e11 active parameters (DeepSeek-V3 activates
    37B of 671B, DeepSeek-AI 2024; Llama 3.1 is 405B dense, Meta 2024), trained on 15T
    tokens a generation (Llama 3.1: 15.6T; DeepSeek-V3: 14.8T), a new one every 12 months.
    """

    active_params: float = Field(2e11, gt=0)
    tokenizer: str = "cl100k_base"  # a production tokenizer of the profile
    # Its per-language quality: a family of data/language_quality.csv (simulator.
    # family_quality); None serves the hub's own model's measured quality.
    family: str | None = None
    tokenizer_changes: list[TokenizerChange] = Field(default_factory=list, max_length=24)
    training_tokens: float = Field(1.5e13, ge=0)  # 0 = the firm trains no frontier model
    generation_months: int = Field(12, ge=1)


class Suspension(StrictModel):
    """A regulator's suspension of the firm's service in a country, by calendar month."""

    country: str
    start: str  # YYYY-MM, first month unavailable
    end: str | None = None  # YYYY-MM, first month available again (None: still suspended)

    _country = field_validator("country")(lambda v: _check_country(v))
    _months = field_validator("start", "end")(lambda v: v if v is None else _check_month(v))


class Channel(StrictModel):
    """A parent's or partner's installed base the firm reaches users through.

    Meta AI inside Meta's apps, Gemini in Android and Google's products (simulator.channels).
    """

    name: Name
    start: str  # YYYY-MM, first month the assistant is in the partner's product
    countries: list[str] = Field(default_factory=list)  # countries or regions; [] = all
    reach: float = Field(gt=0, le=1)  # share of addressable people using the partner's product
    conversion: float = Field(gt=0, le=1)  # share of those who use the assistant, ramped up

    _start = field_validator("start")(lambda v: _check_month(v))
    _places = field_validator("countries")(lambda v: [_check_place(c) for c in v])


class Firm(StrictModel):
    """One firm: where it is from, its money, people, knowledge, model and strategy."""

    name: Name
    home: str
    cash_usd: float = Field(gt=0)
    capability: float = Field(1.0, ge=0)  # initial knowledge stock (R&D units)
    launch_month: int = Field(0, ge=0)  # first month its service may go live anywhere
    talent: Talent
    model: FirmModel = FirmModel()
    strategy: Strategy = Strategy()
    suspensions: list[Suspension] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list, max_length=20)

    _home = field_validator("home")(lambda v: _check_country(v))


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


# Tables whose numeric keys may be uncertain besides the parameters (simulator.overrides
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

    _markets = field_validator("markets")(lambda v: [_check_place(c) for c in v])

    _start = field_validator("start_date")(lambda v: _check_month(v))
    _today = field_validator("today")(lambda v: v if v is None else _check_month(v))

    @field_validator("regulation")
    @classmethod
    def _regulation_keys(cls, value: dict) -> dict:
        for key in value:
            if key != "EU" and key not in _territories():
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
            from plumbing.shipped import shipped_path

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
    either is reported the same way (`simulator.overrides`); InputError lists every
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
