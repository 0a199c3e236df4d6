"""`simulator firm new`: describe your own firm and get a scenario with it among the rivals.

Asks for what a strategist knows about the firm (or takes it all as flags, for scripts):
name, home country, model (active parameters, production tokenizer, model family), cash,
talent and where it has offices and labs today. Figures are written as people write them
($1B, 30B, 1.2K, 2025-12). The new scenario is a base scenario (the shipped default unless
--base) read with tomlkit, so every comment of the base is kept, with the new firm appended
under its own comment; it is validated like any scenario before it is written, and it is
never written over a shipped file, nor over an existing file without --force.
"""

from __future__ import annotations

import datetime
import os
import re
import textwrap
from pathlib import Path

import rich_click as click

from plumbing.json_output import echo_json, json_option
from simulator.scenario.human_units import MONEY, PARAMETERS, PEOPLE, TOKENS, Month, toml_number


def _countries(text: str, option: str) -> list[str]:
    """Comma-separated ISO 3166 codes; 'none' or nothing for none."""
    from plumbing.errors import InputError
    from simulator.scenario.firm import check_country

    codes = [c.strip().upper() for c in text.split(",") if c.strip()]
    if codes == ["NONE"]:
        return []
    try:
        return [check_country(code) for code in codes]
    except ValueError as error:
        raise InputError(f"{option}: {error}") from None


def _check_target(out: Path, force: bool) -> None:
    """Refuse a shipped file, and an existing file unless --force."""
    from plumbing.errors import InputError
    from plumbing.shipped import shipped_path

    shipped = shipped_path().resolve()
    if out.resolve().is_relative_to(shipped):
        raise InputError(f"--out: {out} is a file shipped with the product (under {shipped}); "
                         "expected a path of your own, e.g. my-firm.toml")
    if out.exists() and not force:
        raise InputError(f"--out: {out} exists; expected a new file (or --force to replace it)")


def firm_block(values: dict, start_date: str, base: Path) -> str:
    """The new firm as TOML text: a [[firms]] table under a comment saying where it came from."""
    import tomlkit

    def number(value: float, note: str) -> object:
        item = tomlkit.value(toml_number(value))
        item.comment(note)
        return item

    model = tomlkit.inline_table()
    model["active_params"] = tomlkit.value(toml_number(values["params"]))
    model["tokenizer"] = values["tokenizer"]
    if values["family"]:
        model["family"] = values["family"]
    if values["training_tokens"] is not None:
        model["training_tokens"] = tomlkit.value(toml_number(values["training_tokens"]))
    firm = tomlkit.table()
    firm["name"], firm["home"] = values["name"], values["home"]
    firm["cash_usd"] = number(values["cash"], values["cash_text"])
    if values["launch"] is not None:
        firm["launch_month"] = number(values["launch"], f"{values['launch_text']} "
                                      f"(month 1 = {start_date})")
    firm["talent"] = tomlkit.inline_table()
    firm["talent"].update({"researchers": values["researchers"],
                           "engineers": values["engineers"]})
    firm["model"] = model
    sites = tomlkit.array()
    for kind in ("office", "lab"):
        for country in values[f"{kind}s"]:
            site = tomlkit.inline_table()
            site.update({"country": country, "kind": kind})
            sites.append(site)
    strategy = tomlkit.table()
    strategy["entry_rule"] = "digital"
    if sites:
        strategy["sites"] = sites
    firm["strategy"] = strategy
    note = (f"{values['name']}: added by `simulator firm new` on "
            f"{datetime.date.today().isoformat()} to {base.name}: a model of "
            f"{values['params_text']} active parameters, {values['cash_text']} of cash; "
            "every figure not written here is the simulator's default.")
    doc = tomlkit.document()
    doc["firms"] = tomlkit.aot()
    doc["firms"].append(firm)
    return "".join(f"# {line}\n" for line in textwrap.wrap(note, 88)) + tomlkit.dumps(doc)


def new_scenario(base: Path, values: dict, out: Path) -> tuple[str, list[str]]:
    """The new scenario's text and the warnings where a figure falls back."""
    import tomlkit

    from plumbing.errors import InputError
    from simulator.scenario import load_scenario, parse_scenario

    scenario = load_scenario(base)
    if values["name"] in {f.name for f in scenario.firms}:
        raise InputError(f"--name: {base} already has a firm named {values['name']!r}; "
                         "expected a new name")
    launch = values["launch_text"]
    if launch is not None:
        values["launch"] = scenario.month_of(launch)
        if values["launch"] < 1:
            raise InputError(f"--launch: expected {scenario.start_date} (the scenario's "
                             f"start_date) or later, got {launch!r}")
    families = model_families(None)
    if values["family"] and values["family"] not in families:
        raise InputError(f"--family: expected one of {', '.join(families)} (data/"
                         f"language_quality.csv; none: the hub's model), got "
                         f"{values['family']!r}")
    warnings = []
    tokenizers = profile_tokenizers(base)
    if values["tokenizer"] not in tokenizers:
        warnings.append(f"tokenizer {values['tokenizer']!r} is not among the profile's "
                        f"production tokenizers ({', '.join(tokenizers) or 'none'}): the "
                        "simulator prices its tokens with the hub's global model")
    if not values["family"]:
        warnings.append("no model family: the firm's per-language quality is the hub's own "
                        "model's, as measured in the profile (simulator.family_quality)")
    doc = tomlkit.parse(base.read_text(encoding="utf-8"))
    doc["name"] = re.sub(r"[^\w .&'-]", "", f"{values['name']} among {scenario.name}")[:64]
    profile = doc.get("technology_profile")
    if isinstance(profile, str) and not Path(profile).is_absolute():  # still found from out
        doc["technology_profile"] = os.path.relpath(base.parent / profile, out.parent or ".")
    text = tomlkit.dumps(doc).rstrip("\n") + "\n\n" + firm_block(values, scenario.start_date,
                                                                 base)
    parse_scenario(text, out)  # the very checks `simulator run` makes, before writing
    return text, warnings


def base_scenario(base: Path | None) -> Path:
    """The scenario the firm joins: `base`, else the shipped default."""
    from plumbing.shipped import shipped_path

    return base or shipped_path("scenarios", "default.toml")


def profile_tokenizers(base: Path) -> list[str]:
    """The production tokenizers of the base scenario's technology profile."""
    from simulator.scenario import load_scenario
    from simulator.technology import load_profile

    scenario = load_scenario(base)
    return sorted(load_profile(scenario.profile_path(), scenario.profile_size).tokenizers)


def model_families(ctx: click.Context) -> list[str]:
    """The model families of data/language_quality.csv, and none (the hub's own model)."""
    from simulator.language_quality import read_language_quality

    return [*sorted({row.family for row in read_language_quality()}), "none"]


class ListedOption(click.Option):
    """An option whose prompt lists what the data offers (`listing(ctx)`) when it asks."""

    def __init__(self, *args, listing=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.listing, self.asked = listing, self.prompt

    def prompt_for_value(self, ctx: click.Context):
        """Prompt with the listed choices in the question."""
        self.prompt = f"{self.asked} ({', '.join(self.listing(ctx))})"
        return super().prompt_for_value(ctx)


@click.group()
def firm() -> None:
    """Firms of your own: describe one and get a scenario with it among the rivals.

    Example: `simulator firm new` (asks for each figure), then `simulator run my-firm.toml`
    """


@firm.command("new")
@click.option("--name", prompt="Firm name", help="The firm's name, e.g. 'Seoul Lab'.")
@click.option("--home", prompt="Home country (ISO 3166 code, e.g. KR)",
              help="Home country, an ISO 3166 alpha-2 code such as KR.")
@click.option("--params", type=PARAMETERS, prompt="Model: active parameters (e.g. 30B)",
              help="Active parameters of the model it serves: 30B, 7e9.")
@click.option("--base", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Scenario the firm joins (default: the shipped default.toml).")
@click.option("--tokenizer", cls=ListedOption, prompt="Model: tokenizer", listing=lambda ctx:
              profile_tokenizers(base_scenario(ctx.params.get("base"))),
              help="Its production tokenizer; one not in the profile is priced with the hub's "
                   "global model (a warning says so).")
@click.option("--family", cls=ListedOption, prompt="Model: family for per-language quality",
              listing=model_families, default="none", show_default=True,
              help="Model family of data/language_quality.csv for its per-language quality; "
                   "none: the hub's own measured model.")
@click.option("--cash", type=MONEY, prompt="Cash (e.g. $1B)", help="Starting cash: $1B, 250M.")
@click.option("--researchers", type=PEOPLE, prompt="Researchers", help="Researchers: 120, 1.2K.")
@click.option("--engineers", type=PEOPLE, prompt="Engineers", help="Engineers: 400, 2K.")
@click.option("--offices", default="", prompt="Offices today (countries, e.g. JP,SG; empty: "
              "none)", help="Countries where it has an office today, comma separated.")
@click.option("--labs", default="", help="Countries where it has a research lab, e.g. US.")
@click.option("--launch", type=Month(), default=None,
              help="First month its service may go live (YYYY-MM; default: at once).")
@click.option("--training-tokens", type=TOKENS, default=None,
              help="Tokens a model generation is trained on (15T; default: the simulator's).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              prompt="Save the scenario as", help="The new scenario file (never a shipped one).")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@json_option('{"wrote": path, "base": path, "warnings": [text], "firm": {"name", "home", '
             '"active_params", "cash_usd", "offices": [code], "labs": [code], "launch_month": '
             'int|null, ...}} (give every figure as a flag: questions go to stdout)')
def new(name: str, home: str, params: float, tokenizer: str, family: str, cash: float,
        researchers: int, engineers: int, offices: str, labs: str, launch: str | None,
        training_tokens: float | None, base: Path | None, out: Path, force: bool,
        as_json: bool) -> None:
    """Write a new scenario file: a base scenario with your firm added.

    Figures as you would write them: cash $1B, a 30B model, 1.2K engineers, 2025-12.
    Without flags it asks for each; with every flag it asks nothing (for scripts).

    Example: `simulator firm new --name "Seoul Lab" --home KR --params 30B --tokenizer qwen
    --family none --cash '$1B' --researchers 120 --engineers 400 --offices JP --out
    seoul.toml`, then `simulator run seoul.toml`
    """
    from plumbing.atomic import write_text
    from plumbing.errors import InputError
    from simulator.scenario.firm import check_country

    try:
        home = check_country(home.strip().upper())
    except ValueError as error:
        raise InputError(f"--home: {error}") from None
    base = base_scenario(base)
    _check_target(out, force)
    values = {"name": name.strip(), "home": home, "params": params, "tokenizer": tokenizer.strip(),
              "family": "" if family.strip().lower() in ("", "none") else family.strip(),
              "cash": cash, "researchers": researchers, "engineers": engineers,
              "offices": _countries(offices, "--offices"), "labs": _countries(labs, "--labs"),
              "launch": None, "launch_text": launch, "training_tokens": training_tokens,
              "cash_text": _money_text(cash), "params_text": _count_text(params)}
    text, warnings = new_scenario(base, values, out)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    write_text(out, text)
    if as_json:
        # Named as in the file (`launch_month`: month 1 is the scenario's start_date).
        shown = {"name": "name", "home": "home", "active_params": "params",
                 "tokenizer": "tokenizer", "family": "family", "cash_usd": "cash",
                 "researchers": "researchers", "engineers": "engineers", "offices": "offices",
                 "labs": "labs", "launch_month": "launch", "training_tokens": "training_tokens"}
        echo_json({"wrote": out, "base": base, "warnings": warnings,
                   "firm": {key: values[field] for key, field in shown.items()}})
        return
    click.echo(f"wrote {out}: {name} ({home}) joins the firms of {base.name}; run it with "
               f"`simulator run {out}`")


def _money_text(value: float) -> str:
    from plumbing.numbers import compact_money

    return compact_money(value, digits=2)


def _count_text(value: float) -> str:
    from plumbing.numbers import compact

    return compact(value, 2)
