"""The firm wizard's answers read as `simulator firm new` reads its options.

Free of Textual. Each figure goes through the CLI's own parsers (`simulator.scenario.human_units`:
"$1B", "30B", "1.2K", "2025-12"), countries through the scenario's check, and the scenario
is built by the CLI's `new_scenario` (the base's comments kept, the firm appended under its
own comment, validated like any scenario), so the wizard and the command write the same
file for the same answers. Problems and warnings are in the UI's language; the parsers'
own explanation (what was expected, what was given) follows in English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import rich_click as click

from tui.i18n import N_, _

# The wizard's questions, in order: key, label (marked for translation), example answer.
QUESTIONS = (
    ("name", N_("Firm name"), "Seoul Lab"),
    ("home", N_("Home country (ISO code)"), "KR"),
    ("params", N_("Model: active parameters"), "30B"),
    ("cash", N_("Cash"), "$1B"),
    ("researchers", N_("Researchers"), "120"),
    ("engineers", N_("Engineers"), "1.2K"),
    ("offices", N_("Offices today (countries)"), "JP, SG"),
    ("labs", N_("Research labs (countries)"), "US"),
    ("launch", N_("Service goes live (YYYY-MM)"), ""),
    ("file", N_("Save as (file name)"), ""),
)
NO_FAMILY = "none"  # model_families' entry for the hub's own measured model


@dataclass
class FirmAnswers:
    """What the wizard read: the CLI's values, or the problems; warnings either way."""

    values: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    readback: list[str] = field(default_factory=list)  # the figures as read, in human units


def _figure(kind: click.ParamType, text: str, label: str, answers: FirmAnswers) -> object:
    try:
        return kind.convert(text.strip(), None, None)
    except click.BadParameter as error:
        answers.problems.append(_("{field}: {problem}").format(field=_(label),
                                                               problem=error.message))
        return None


def _countries(text: str, label: str, answers: FirmAnswers) -> list[str]:
    from simulator.scenario.firm import check_country

    codes = [c.strip().upper() for c in text.replace(";", ",").split(",") if c.strip()]
    try:
        return [check_country(code) for code in codes]
    except ValueError as error:
        answers.problems.append(_("{field}: {problem}").format(field=_(label), problem=error))
        return []


def file_name(firm: str) -> str:
    """A file name for the firm's scenario: `seoul-lab.toml`."""
    return (re.sub(r"[^a-z0-9]+", "-", firm.lower()).strip("-") or "my-firm") + ".toml"


def read_answers(texts: dict[str, str], tokenizer: str, family: str,
                 tokenizers: list[str]) -> FirmAnswers:
    """Check the answers (`texts` by question key) as `simulator firm new` checks its flags."""
    from plumbing.numbers import compact, compact_money
    from simulator.scenario.human_units import MONEY, PARAMETERS, PEOPLE, Month

    answers = FirmAnswers()
    labels = {key: label for key, label, _example in QUESTIONS}
    name, home = texts["name"].strip(), texts["home"].strip().upper()
    if not name:
        answers.problems.append(_("{field}: expected a name").format(field=_(labels["name"])))
    known = len(answers.problems)
    home_codes = _countries(home, labels["home"], answers)
    if len(home_codes) != 1 and len(answers.problems) == known:  # none, or several
        answers.problems.append(_("{field}: expected one ISO 3166 code such as KR").format(
            field=_(labels["home"])))
    params = _figure(PARAMETERS, texts["params"], labels["params"], answers)
    cash = _figure(MONEY, texts["cash"], labels["cash"], answers)
    people = {key: _figure(PEOPLE, texts[key], labels[key], answers)
              for key in ("researchers", "engineers")}
    launch = (_figure(Month(), texts["launch"], labels["launch"], answers)
              if texts["launch"].strip() else None)
    sites = {key: _countries(texts[key], labels[key], answers) for key in ("offices", "labs")}
    if tokenizer not in tokenizers:
        answers.warnings.append(_("The profile lists no tokenizer {name}: the simulator prices "
                                  "its tokens with the hub's global model.").format(
            name=tokenizer or "-"))
    if family in ("", NO_FAMILY):
        answers.warnings.append(_("No model family: the firm's per-language quality is the "
                                  "hub's own model's, as measured in the profile."))
    if params is not None:
        answers.readback.append(_("{value} active parameters").format(value=compact(params, 2)))
    if cash is not None:
        answers.readback.append(_("{value} of cash").format(value=compact_money(cash, digits=2)))
    if answers.problems:
        return answers
    answers.values = {
        "name": name, "home": home_codes[0], "params": params, "tokenizer": tokenizer,
        "family": "" if family == NO_FAMILY else family, "cash": cash, **people, **sites,
        "launch": None, "launch_text": launch, "training_tokens": None,
        "cash_text": compact_money(cash, digits=2), "params_text": compact(params, 2)}
    return answers


def write_firm_scenario(base: Path, answers: FirmAnswers, out: Path,
                        shipped_names: set[str]) -> Path:
    """Write the base scenario with the firm added to `out` (a new file of the user's).

    Raises:
        FileExistsError: `out` exists, or bears a shipped scenario's name.
        InputError: the CLI's checks (a firm of that name in the base, a launch too early).
    """
    from plumbing.atomic import write_text
    from simulator.scenario.firm_cli import new_scenario

    if out.name in shipped_names:
        raise FileExistsError(_("{name} is the name of a shipped scenario; choose another "
                                "name.").format(name=out.name))
    if out.exists():
        raise FileExistsError(_("{path} exists; choose another name.").format(path=out))
    text, _warnings = new_scenario(base, dict(answers.values), out)  # shown translated already
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text(out, text)
    return out
