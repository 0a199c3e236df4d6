"""Figures in the scenario form as people write them: shown 40B or $2.5B, typed the same way.

Typed text is read by the CLI's parser (`simulator.scenario.human_units.parse_figure`: K/M/B/T
suffixes, a dollar sign), written back as the shipped scenarios write figures (30e9), and
shown so that it parses back to the very same number. A scenario's tokenizers are checked
against its technology profile's list, read once per file version.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import tomlkit
from tomlkit.items import Item


def parse_scalar(text: str, kind: str) -> object:
    """The typed value of `text` (figures as people write them: 40B, $1.5M), or the raw text.

    Unparsable text goes to the simulator's validation as is, so that it (not the form)
    says what was expected.
    """
    from simulator.scenario.human_units import parse_figure

    stripped = text.strip()
    if kind in ("int", "float"):
        try:
            return int(stripped.replace("_", "")) if kind == "int" else float(
                stripped.replace("_", ""))
        except ValueError:
            pass  # a figure with a suffix or a dollar sign, read below
        sign = -1.0 if stripped.startswith("-") else 1.0
        try:
            value = sign * parse_figure(stripped.removeprefix("-"), money=True)
        except ValueError:
            return text
        if kind == "float":
            return value
        return int(value) if value == int(value) else text
    if kind == "bool" and stripped.lower() in ("true", "false"):
        return stripped.lower() == "true"
    return text


# Figures from ten thousand up read with a suffix, as people write them (40B, not
# 40000000000.0); smaller ones (months, shares, prices) as written.
SUFFIXES = (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3))
SUFFIX_FROM = 1e4


def human_figure(value: float, money: bool = False, suffix: bool = True) -> str:
    """A number as the form shows it: 40B, $2.5B, 0.35, 120; exact (it parses back equal)."""
    magnitude, sign = abs(value), "-" if value < 0 else ""
    text = f"{magnitude:.15g}"
    if suffix and magnitude >= SUFFIX_FROM:
        suffix, scale = next((s, k) for s, k in SUFFIXES if magnitude >= k)
        scaled = f"{magnitude / scale:.15g}{suffix}"
        if float(parse_scalar(scaled, "float")) == magnitude:
            text = scaled
    return f"{sign}{'$' if money else ''}{text}"


def toml_value(value: object) -> Item:
    """A figure written as people write it in TOML (30e9, not 30000000000.0)."""
    from simulator.scenario.human_units import toml_number

    if isinstance(value, float) and value and abs(value) >= SUFFIX_FROM:
        return tomlkit.value(toml_number(value))
    return tomlkit.item(value)


def profile_tokenizers(path: Path, size: str | None) -> list[str]:
    """The production tokenizers a technology profile lists (read once per file version)."""
    stat = Path(path).stat()
    return _profile_tokenizers(str(path), size, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _profile_tokenizers(path: str, size: str | None, _mtime: int, _bytes: int) -> list[str]:
    from simulator.technology import load_profile

    return sorted(load_profile(path, size).tokenizers)
