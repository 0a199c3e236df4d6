"""Scenario files: TOML read with tomllib, validated strictly with pydantic.

A scenario names the markets, the firms with their strategies, the technology profile, the
compute prices and any parameter overrides. A bad file is refused with one message that
lists every problem as `file: dotted.key: what was expected` (see `format_problems`).

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
import json
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hub.errors import InputError
from simulator.parameters import Parameters, parameter_names

Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][\w .&'-]*$")]


class StrictModel(BaseModel):
    """Refuses unknown keys: a typo in a scenario must not pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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
    """Consumer price; `ppp_adjusted` scales it by local purchasing power (floor 25%)."""

    usd_per_month: float = Field(20.0, ge=0)
    ppp_adjusted: bool = False


class Localisation(StrictModel):
    """Start training a model for `region` (a profile region) in month `start_month`."""

    region: str
    start_month: int = Field(0, ge=0)


class Strategy(StrictModel):
    """How a firm enters markets, commits, localises, hires and prices."""

    entry_rule: Literal["uppsala", "gravity", "explicit"] = "uppsala"
    entry_order: list[str] = Field(default_factory=list)  # explicit rule: regions/countries
    exclude: list[str] = Field(default_factory=list)  # regions/countries never entered
    entries_per_year: float = Field(6.0, gt=0, le=120)
    max_commitment: int = Field(3, ge=1, le=4)
    localise: list[Localisation] = Field(default_factory=list)
    hiring: Hiring = Hiring()
    pricing: Pricing = Pricing()

    _places = field_validator("entry_order", "exclude")(lambda v: [_check_place(c) for c in v])

    @model_validator(mode="after")
    def _explicit_needs_order(self) -> Strategy:
        if self.entry_rule == "explicit" and not self.entry_order:
            raise ValueError("entry_rule 'explicit' expects a non-empty entry_order")
        return self


class Firm(StrictModel):
    """One firm: where it is from, its money, people, knowledge and strategy."""

    name: Name
    home: str
    cash_usd: float = Field(gt=0)
    capability: float = Field(1.0, ge=0)  # initial knowledge stock (R&D units)
    talent: Talent
    strategy: Strategy = Strategy()

    _home = field_validator("home")(lambda v: _check_country(v))


class Compute(StrictModel):
    """GPUs a firm rents to localise a model (defaults: an H100 SXM at a cloud list price)."""

    gpu_usd_per_hour: float = Field(2.5, gt=0)
    gpu_peak_flops: float = Field(989e12, gt=0)  # H100 SXM dense BF16, NVIDIA datasheet
    utilisation: float = Field(0.4, gt=0, le=1)  # model FLOPs utilisation, PaLM reports 46%
    gpus: int = Field(1024, ge=1)  # cluster size, sets how long a localisation run takes


class RegulationOverride(StrictModel):
    """Replaces the curated compliance cost or delay of a country or bloc."""

    compliance_cost_usd: float | None = Field(None, ge=0)
    delay_months: float | None = Field(None, ge=0)


def require_unique(kind: str, names: list[str]) -> None:
    """Raise ValueError naming every `kind` name that occurs more than once."""
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"expected unique {kind} names, repeated: {', '.join(repeated)}")


class Scenario(StrictModel):
    """A whole scenario file, validated."""

    name: Name
    description: str = ""
    seed: int = Field(0, ge=0)
    months: int = Field(120, ge=1, le=600)
    markets: list[str] = Field(min_length=1)
    technology_profile: str | None = None  # path relative to the scenario file
    profile_size: str | None = None  # which model size of the profile to use
    compute: Compute = Compute()
    parameters: Parameters = Parameters()
    regulation: dict[str, RegulationOverride] = Field(default_factory=dict)
    uncertain: dict[str, tuple[float, float]] = Field(default_factory=dict)
    firms: list[Firm] = Field(min_length=1)
    source: str | None = Field(None, exclude=True)  # the file it came from, set by the loader

    _markets = field_validator("markets")(lambda v: [_check_place(c) for c in v])

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
            if key not in known:
                raise ValueError(f"expected parameter names ({', '.join(known)}), got {key!r}")
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
            from hub.shipped import shipped_path

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

    def digest(self) -> str:
        """Short content hash: equal scenarios give equal run ids."""
        text = self.model_dump_json(exclude={"source"})
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _dotted(loc: tuple) -> str:
    """TOML-style key path: `firms[0].strategy`, odd keys quoted (`parameters."a b"`)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        key = str(part)
        # json.dumps escapes control characters, so one problem stays one line.
        key = key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)
        out += f".{key}" if out else key
    return out or "(top level)"


def _keys_at(loc: tuple, model: type[BaseModel]) -> list[str]:
    """Keys allowed in the table at `loc`, found by walking the models' annotations."""
    for part in loc:
        if isinstance(part, int) or part not in model.model_fields:
            continue
        nested = _model_in(model.model_fields[part].annotation)
        if nested is None:
            break
        model = nested
    return [name for name in model.model_fields if name != "source"]


def _model_in(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def _expected(error: dict, model: type[BaseModel]) -> str:
    kind, message = error["type"], error["msg"]
    if kind == "extra_forbidden":
        return "unknown key; expected one of: " + ", ".join(_keys_at(error["loc"][:-1], model))
    if kind == "missing":
        return "missing; expected this key to be set"
    if message.startswith("Value error, "):
        return message.removeprefix("Value error, ")
    if message.startswith("Input should be "):
        return "expected " + message.removeprefix("Input should be ")
    return f"expected a valid value: {message}"


def format_problems(path: str | Path, error: ValidationError,
                    model: type[BaseModel] | None = None) -> list[str]:
    """One line per problem: `file: dotted.key: what was expected` (for the CLI and the TUI).

    `model` is the pydantic model that was validated (default: Scenario); it names the
    allowed keys when a key is unknown.
    """
    model = model or Scenario
    lines = []
    for item in error.errors():
        # Tagged validator locations carry the validator name; keep the user's keys only.
        loc = tuple(
            p for p in item["loc"] if not (isinstance(p, str) and p.startswith("function-"))
        )
        lines.append(f"{path}: {_dotted(loc)}: {_expected(item, model)}")
    return lines


def validate_toml(text: str, path: str | Path, model: type[BaseModel], what: str) -> BaseModel:
    """Parse TOML text into `model` (with `source` = path); InputError lists every problem.

    `what` names the kind of file in the message ("scenario", "sweep").
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    try:
        return model.model_validate({**document, "source": str(path)})
    except ValidationError as exc:
        problems = format_problems(path, exc, model)
        count = f"{len(problems)} problem" + ("s" if len(problems) > 1 else "")
        raise InputError(f"bad {what} ({count}):\n" + "\n".join(problems)) from None


def parse_scenario(text: str, path: str | Path = "<scenario>") -> Scenario:
    """Validate scenario TOML text; InputError lists every problem at once."""
    return validate_toml(text, path, Scenario, "scenario")


def read_user_file(path: Path, what: str) -> str:
    """The text of a file a user wrote; InputError names it when missing or unreadable."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: {what} file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the {what} file: {exc}") from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file."""
    path = Path(path)
    return parse_scenario(read_user_file(path, "scenario"), path)
