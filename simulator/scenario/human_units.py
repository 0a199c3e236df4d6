"""Figures as people write them: "$1B" of cash, a "30B" model, "1.2K" engineers, "2025-12".

Each parser is a click parameter type, so a prompt asks again and a flag exits 2 with the
option, what was expected and what was given. `toml_number` writes a figure back the way
the shipped scenarios do (30e9, not 30000000000.0).
"""

from __future__ import annotations

import math
import re

import rich_click as click

SCALE = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9, "bn": 1e9, "t": 1e12}  # short scale, as in "$1B"
_FIGURE = re.compile(r"([0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)\s*(k|m|bn|b|t)?")
MAX_FIGURE = 1e18  # beyond any firm's cash or model (the world's GDP is ~1e14 dollars)


def parse_figure(text: str, money: bool = False) -> float:
    """A figure of 0 or more with an optional K/M/B/T suffix (and `$` or USD when `money`).

    Raises:
        ValueError: the text is not such a figure.
    """
    cleaned = text.strip().lower().replace(",", "").replace("_", "")
    if money:
        cleaned = cleaned.removeprefix("$").removeprefix("usd").removesuffix("usd").strip()
    found = _FIGURE.fullmatch(cleaned)
    if not found:
        raise ValueError(text)
    value = float(found.group(1)) * SCALE[found.group(2) or ""]
    if not value <= MAX_FIGURE:
        raise ValueError(text)
    return value


class Figure(click.ParamType):
    """A figure with a K/M/B/T suffix: money ($1B), a count (1.2K) or a model size (30B)."""

    def __init__(self, metavar: str, what: str, examples: str, money: bool = False,
                 integer: bool = False) -> None:
        self.name, self.what = metavar, what
        self.examples, self.money, self.integer = examples, money, integer

    def convert(self, value, param, ctx):
        """The figure as a float (an int for counts); a clear message when it is not one."""
        if isinstance(value, int | float):
            return value
        try:
            figure = parse_figure(str(value), self.money)
        except ValueError:
            self.fail(f"expected {self.what} such as {self.examples}, got {value!r}", param, ctx)
        if not self.integer and figure == 0:
            self.fail(f"expected {self.what} above 0 such as {self.examples}, got {value!r}",
                      param, ctx)
        if self.integer:
            if figure != int(figure):
                self.fail(f"expected a whole number of {self.what}, got {value!r}", param, ctx)
            return int(figure)
        return figure


class Month(click.ParamType):
    """A calendar month, YYYY-MM."""

    name = "month"

    def convert(self, value, param, ctx):
        """The month's text, checked as scenario files check theirs."""
        from simulator.scenario.firm import check_month

        try:
            return check_month(str(value).strip())
        except ValueError as error:
            self.fail(str(error), param, ctx)


MONEY = Figure("usd", "an amount of US dollars", "$1B, 250M or 1.5e9", money=True)
PARAMETERS = Figure("count", "a parameter count", "30B, 7e9 or 405B")
TOKENS = Figure("count", "a token count", "15T or 1.5e13")
PEOPLE = Figure("people", "people", "120 or 1.2K", integer=True)


def toml_number(value: float) -> str:
    """A figure as TOML text the way a person writes it: 30e9, 1.5e12, 250."""
    if value == int(value) and abs(value) < 1e6:
        return str(int(value))
    exponent = 3 * math.floor(math.log10(abs(value)) / 3)
    return f"{value / 10 ** exponent:.15g}e{exponent}"
