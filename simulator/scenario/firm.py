"""A firm in a scenario: its home, money, people, model, strategy and channels, validated.

The firm's sub-tables of a scenario file (`[[firms]]`, `[firms.strategy]`, `[firms.model]`,
`[[firms.channels]]`, suspensions), and the checks on the places and months they name
(`check_country`, `check_place`, `check_month`), which the scenario and the CLIs share.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Annotated, Literal, get_args

from pydantic import Field, field_validator, model_validator

from plumbing.checked import CheckedModel

Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][\w .&'-]*$")]


class StrictModel(CheckedModel):
    """Refuses unknown keys (a typo must not pass silently) and unchecked numbers.

    Every number is finite, of its field's type and within its range (`plumbing.checked`).
    """


@cache
def territories() -> frozenset[str]:
    """ISO codes of the world data's countries and territories."""
    from simulator.world.countries import load_countries

    return frozenset(c.iso2 for c in load_countries())


@cache
def _region_names() -> tuple[str, ...]:
    from hub.regions import BUILTIN

    return tuple(BUILTIN)


def check_country(code: str) -> str:
    """`code` if it is an ISO 3166 alpha-2 code of the world data; ValueError otherwise."""
    if code not in territories():
        raise ValueError(f"expected an ISO 3166 alpha-2 country code such as 'DE', got {code!r}")
    return code


FIRST_YEAR, LAST_YEAR = 2000, 2100  # calendar months a scenario may name (600 months on, 2150)


def check_month(text: str) -> str:
    """`text` if it is a calendar month YYYY-MM a scenario may name; ValueError otherwise."""
    if not (re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", text)
            and FIRST_YEAR <= int(text[:4]) <= LAST_YEAR):
        raise ValueError(f"expected a calendar month YYYY-MM from {FIRST_YEAR}-01 to "
                         f"{LAST_YEAR}-12 such as 2022-11, got {text!r}")
    return text


def check_place(code: str) -> str:
    """`code` if it is a built-in region or a country code; ValueError otherwise."""
    if code in _region_names() or code in territories():
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

    _places = field_validator("countries")(lambda v: [check_place(c) for c in v])


class Pricing(StrictModel):
    """Consumer price; `ppp_adjusted` scales it by purchasing power (to ppp_price_floor).

    A `lite` tier may sell beside it: a cheaper subscription with less of the full tier.

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
    # A lite tier beside the price above, US dollars a month in a region or country, in the
    # order written (e.g. ChatGPT Go: IN = 4.6). Payers choose between the two tiers
    # (simulator.economics.menu_shares); it is not PPP-adjusted, being a local price already.
    lite: dict[str, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)

    _tiers = field_validator("tiers", "lite")(
        lambda v: {check_place(k): x for k, x in v.items()})


class Localisation(StrictModel):
    """Localise for `region` (a profile region) from month `start_month`.

    `rule = "scheduled"` starts then (cash allowing); `"margin"` starts then or later, once
    the localised model's expected margin over the decision horizon pays for it. Localising
    is continued pre-training (quality); `vocab_tokens` also extends the tokenizer (cost).
    With `countries`, only those of the region's countries get the model, trained for their
    languages alone (a Japanese model: region apac, countries JP), at that share of the cost.
    """

    region: str
    countries: list[str] = Field(default_factory=list)  # [] = the whole region
    start_month: int = Field(0, ge=0)
    rule: Literal["scheduled", "margin"] = "scheduled"
    # Tokens added to the firm's tokenizer for the region's languages, as measured in
    # data/vocab_extension.csv (simulator.vocab_extension); 0 keeps the tokenizer.
    vocab_tokens: int = Field(0, ge=0, le=1_000_000)

    _countries = field_validator("countries")(lambda v: [check_country(c) for c in v])


class Site(StrictModel):
    """An office or research lab the firm opens in a named country, from a month on.

    It opens once the firm serves the country there and its cash covers the setup, beside
    the offices and labs its location choice places (`simulator.offices`).
    """

    country: str
    month: int = Field(0, ge=0)
    kind: Literal["office", "lab"] = "office"

    _country = field_validator("country")(lambda v: check_country(v))


class DataRegion(StrictModel):
    """A serving region in a country, from a month on: organisations' data stays there.

    `own` is the firm's data centre; `cloud` a cloud partner's region (Azure, AWS, Google
    Cloud host models in-country); both count the same for buyers, at different costs
    (`Parameters.data_region_*_monthly_usd`).
    """

    country: str
    month: int = Field(0, ge=0)
    via: Literal["own", "cloud"] = "cloud"

    _country = field_validator("country")(lambda v: check_country(v))


class Rollout(StrictModel):
    """The firm's own launch calendar: it serves `place` from `start` (YYYY-MM), not before.

    History's firms chose when to open a place apart from any regulator's delay (Claude in
    the EU in May 2024, ten months after the US; Meta AI in the EU in March 2025).
    """

    place: str
    start: str

    _place = field_validator("place")(lambda v: check_place(v))
    _start = field_validator("start")(lambda v: check_month(v))


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

    _places = field_validator("entry_order", "exclude")(lambda v: [check_place(c) for c in v])

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

    _month = field_validator("month")(lambda v: check_month(v))


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

    _country = field_validator("country")(lambda v: check_country(v))
    _months = field_validator("start", "end")(lambda v: v if v is None else check_month(v))


class Channel(StrictModel):
    """A parent's or partner's installed base the firm reaches users through.

    Meta AI inside Meta's apps, Gemini in Android and Google's products (simulator.channels).
    """

    name: Name
    start: str  # YYYY-MM, first month the assistant is in the partner's product
    countries: list[str] = Field(default_factory=list)  # countries or regions; [] = all
    reach: float = Field(gt=0, le=1)  # share of addressable people using the partner's product
    conversion: float = Field(gt=0, le=1)  # share of those who use the assistant, ramped up

    _start = field_validator("start")(lambda v: check_month(v))
    _places = field_validator("countries")(lambda v: [check_place(c) for c in v])


class FundingRound(StrictModel):
    """Equity the firm raised in a month (a round's cash coming in, as published)."""

    month: str  # YYYY-MM
    usd: float = Field(gt=0)

    _month = field_validator("month")(lambda v: check_month(v))


Cloud = Literal["aws", "azure", "gcp"]  # the cloud marketplaces data/cloud_regions.csv names
CLOUDS = get_args(Cloud)


class Listing(StrictModel):
    """The firm's models sold through a cloud's marketplace from a month on.

    Azure OpenAI, Claude on Bedrock: organisations there buy them on their cloud contract.
    """

    cloud: Cloud
    start: str  # YYYY-MM, first month listed

    _start = field_validator("start")(lambda v: check_month(v))


class Enterprise(StrictModel):
    """How organisations buy from the firm beside its direct sales (simulator.enterprise)."""

    marketplaces: list[Listing] = Field(default_factory=list, max_length=12)


class Firm(StrictModel):
    """One firm: where it is from, its money, people, knowledge, model and strategy."""

    name: Name
    home: str
    cash_usd: float = Field(gt=0)
    # The most a parent pays a month to cover the firm's loss (a big-tech unit such as Meta
    # AI or Gemini); 0 for a firm on its own cash.
    parent_funding_usd_monthly: float = Field(0.0, ge=0)
    funding: list[FundingRound] = Field(default_factory=list)  # equity rounds after the start
    capability: float = Field(1.0, ge=0)  # initial knowledge stock (R&D units)
    launch_month: int = Field(0, ge=0)  # first month its service may go live anywhere
    talent: Talent
    model: FirmModel = FirmModel()
    strategy: Strategy = Strategy()
    suspensions: list[Suspension] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list, max_length=20)
    # YYYY-MM its own assistant app opens: before it people meet the firm only through its
    # channels, none choose it in the market (Meta AI's app, April 2025). None: from launch.
    own_app: str | None = None
    enterprise: Enterprise = Enterprise()  # no listing: it sells to organisations directly

    _home = field_validator("home")(lambda v: check_country(v))
    _own_app = field_validator("own_app")(lambda v: v if v is None else check_month(v))
