"""Sweep files: which strategies to compare, under which uncertain parameters, with which design.

A sweep names a base scenario, the strategy variants (each a set of overrides of the
scenario's keys), the uncertain parameters with their ranges, the design that samples
them (`simulator.batch.design`) and the number of seeds per design point. It is TOML validated
strictly with pydantic; a bad file is refused with every problem on one line each, as
`file: dotted.key: what was expected` (the style of `simulator.scenario`), exit code 2.

Example::

    name = "localise EU early or late"
    scenario = "../scenarios/default.toml"   # relative to this file
    months = 60                              # optional, default: the scenario's
    seed = 2026                              # the sweep's seed; run seeds derive from it
    seeds = 3                                # seeds per design point
    focus_firm = "Frontier"                  # whose KPIs the runs table lists
    design = { kind = "latin", samples = 8 } # grid | random | latin | sobol

    [[variants]]
    name = "eu-early"
    overrides = { "firms.Frontier.strategy.localise" = [{ region = "eu", start_month = 0 }] }

    [uncertain]
    "compute.gpu_usd_per_hour" = [1.5, 4.0]  # any numeric scenario key, dotted
    serving_cost_multiplier = [0.5, 2.0]     # a model parameter (short for parameters.X)
    token_premium_scale = [0.6, 1.6]         # short for technology.token_premium_scale

Override and uncertain keys are the dotted paths of `simulator.scenario.overrides` (the keys of
`simulator run --set`); a list of firms is indexed by firm name (`firms.Frontier.cash_usd`)
or position (`firms.0.cash_usd`). Without an `[uncertain]` table the scenario's own
`uncertain` ranges are used.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from plumbing.checked import SEED_MAX, CheckedModel
from plumbing.errors import InputError
from simulator.scenario import Scenario, load_scenario
from simulator.scenario.overrides import apply, check_overrides, set_key, uncertain_path
from simulator.scenario.toml_check import read_user_file, require_unique, validate_toml

__all__ = ["Design", "Sweep", "Variant", "apply", "flatten_overrides", "load_sweep",
           "parse_sweep", "set_key", "uncertain_path"]
VariantName = Annotated[str, Field(min_length=1, max_length=48, pattern=r"^[A-Za-z0-9][\w.-]*$")]


class _Strict(CheckedModel):
    """Unknown keys and unchecked numbers refused (`plumbing.checked`)."""


class Design(_Strict):
    """How the uncertain parameters are sampled (see `simulator.batch.design`)."""

    kind: Literal["grid", "random", "latin", "sobol"] = "latin"
    samples: int = Field(8, ge=1, le=100_000)  # random/latin: points; sobol: base N (power of 2)
    levels: int = Field(3, ge=2, le=100)  # grid: values per parameter, ends included
    second_order: bool = False  # sobol: also second-order indices (needs 2k+2 runs per N)

    @model_validator(mode="after")
    def _sobol_power_of_two(self) -> Design:
        # Sobol' sequences keep their balance properties only at powers of two (SALib warns).
        if self.kind == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"sobol: expected samples to be a power of two, got {self.samples}")
        return self


class Variant(_Strict):
    """One strategy to compare: a name and the scenario keys it changes."""

    name: VariantName
    description: str = ""
    overrides: dict[str, Any] = Field(default_factory=dict)


class Sweep(_Strict):
    """A whole sweep file, validated."""

    name: str = Field(min_length=1, max_length=80)
    description: str = ""
    scenario: str
    months: int | None = Field(None, ge=1, le=600)
    seed: int = Field(0, ge=0, le=SEED_MAX)
    seeds: int = Field(1, ge=1, le=10_000)
    focus_firm: str | None = None
    design: Design = Design()
    variants: list[Variant] = Field(min_length=1)
    uncertain: dict[str, tuple[float, float]] = Field(default_factory=dict)
    source: str | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _checks(self) -> Sweep:
        require_unique("variant", [v.name for v in self.variants])
        for key, (low, high) in self.uncertain.items():
            if not low < high:
                raise ValueError(f"uncertain.{key}: expected [low, high] with low < high")
        return self

    def scenario_path(self) -> Path:
        """The base scenario, relative to the sweep file."""
        path = Path(self.scenario).expanduser()
        if not path.is_absolute() and self.source is not None:
            path = Path(self.source).parent / path
        return path


def flatten_overrides(overrides: dict, prefix: str = "") -> dict[str, Any]:
    """TOML dotted keys arrive as nested tables; turn them back into dotted paths."""
    flat: dict[str, Any] = {}
    for key, value in overrides.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and value:
            flat.update(flatten_overrides(value, path))
        else:
            flat[path] = value
    return flat


_NOT_A_KEY = ("expected a parameter name (see simulator/parameters.py), token_premium_scale "
              "or a dotted numeric scenario key such as compute.gpu_usd_per_hour")


def _override_problems(sweep: Sweep, base: Scenario, file: str) -> list[str]:
    problems = []
    document = base.model_dump(mode="python", exclude={"source"})
    for i, variant in enumerate(sweep.variants):
        _, found = check_overrides(document, flatten_overrides(variant.overrides), file,
                                   lambda key, i=i: f"variants[{i}].overrides.{key}",
                                   model=type(base))
        problems += found
    for key, (low, high) in sweep.uncertain.items():
        for value in (low, high):
            _, found = check_overrides(document, {uncertain_path(key): float(value)}, file,
                                       model=type(base))
            if not found:
                continue
            detail = found[0].split(": ", 2)[-1]
            if "unknown key" in detail or "expected one of" in detail:
                problems.append(f"{file}: uncertain.{key}: {_NOT_A_KEY}")
            else:
                problems.append(f"{file}: uncertain.{key}: {value} is out of range: {detail}")
            break
    return problems


def parse_sweep(text: str, path: str | Path = "<sweep>") -> Sweep:
    """Validate sweep TOML text (structure only); InputError lists every problem at once."""
    return validate_toml(text, path, Sweep, "sweep")


def load_sweep(path: str | Path, assignments: Iterable[str] = ()) -> tuple[Sweep, Scenario]:
    """Read a sweep file and its base scenario; check every override and range against it.

    `assignments` are `--set KEY=VALUE` overrides of the base scenario (before the variants').
    """
    path = Path(path)
    sweep = parse_sweep(read_user_file(path, "sweep"), path)
    scenario_file = sweep.scenario_path()
    if not scenario_file.exists():
        raise InputError(f"{path}: scenario: expected a scenario file, {scenario_file} not found")
    base = load_scenario(scenario_file, assignments)
    if sweep.months is not None:
        base = apply(base, {"months": sweep.months})
    problems = _override_problems(sweep, base, str(path))
    firms = [f.name for f in base.firms]
    if sweep.focus_firm is not None and sweep.focus_firm not in firms:
        problems.append(f"{path}: focus_firm: expected one of the scenario's firms "
                        f"({', '.join(firms)}), got {sweep.focus_firm!r}")
    if problems:
        raise InputError(f"bad sweep ({len(problems)} problems):\n" + "\n".join(problems))
    return sweep, base
