"""Large figures in a few characters (1.2K, 3.4M, $5.6B, 120万), one way everywhere.

Every command, report and screen shortens figures here. The short forms are CLDR's (via
babel), so the terminal's English and the TUI's other languages agree on units; values below
a thousand keep two decimals (three significant digits below one), so a share of 0.0123
stays readable next to a revenue of $4.5B.
"""

from __future__ import annotations

import math

from babel import numbers as babel_numbers

MISSING = "—"
"""What a missing value (None, NaN) shows."""


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _small(value: float, locale: str) -> str:
    # CLDR's compact patterns print small values with every digit they have.
    if math.isinf(value):
        return ("-" if value < 0 else "") + "∞"
    # Two decimals from 1 up, three significant digits below (a share of 0.0123).
    pattern = "#,##0.##" if value == 0 or abs(value) >= 1 else "@##"
    return babel_numbers.format_decimal(value, format=pattern, locale=locale)


def compact(value: float | None, digits: int = 1, locale: str = "en") -> str:
    """A count or amount in its short form with `digits` decimals (1234567 -> 1.2M)."""
    if _missing(value):
        return MISSING
    if math.isinf(value) or abs(value) < 1000:
        return _small(value, locale)
    return babel_numbers.format_compact_decimal(value, fraction_digits=digits, locale=locale)


def compact_money(value: float | None, currency: str = "USD", digits: int = 1,
                  locale: str = "en") -> str:
    """An amount of money in its short form ($1.2M, -$3.4B)."""
    if _missing(value):
        return MISSING
    if math.isinf(value):
        return _small(value, locale)
    if abs(value) < 1000:
        return babel_numbers.format_currency(value, currency, format="¤#,##0.##",
                                             currency_digits=False, locale=locale)
    return babel_numbers.format_compact_currency(value, currency, fraction_digits=digits,
                                                 locale=locale)
