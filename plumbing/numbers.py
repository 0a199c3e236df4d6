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


HUGE = 1e15
"""From here up, figures are in scientific notation (1.2E18): CLDR's largest compact unit
is the trillion, and babel's rounding overflows its decimal context on larger values."""
TINY = 1e-6
"""Below this (and above 0), scientific notation too: three significant digits of 1e-300
would be 300 characters."""


def _scientific(value: float, locale: str) -> str:
    return babel_numbers.format_scientific(value, format="0.#E0", locale=locale)


def _small(value: float, locale: str) -> str:
    # CLDR's compact patterns print small values with every digit they have.
    if math.isinf(value):
        return ("-" if value < 0 else "") + "∞"
    if 0 < abs(value) < TINY:
        return _scientific(value, locale)
    # Two decimals from 1 up, three significant digits below (a share of 0.0123).
    pattern = "#,##0.##" if value == 0 or abs(value) >= 1 else "@##"
    return babel_numbers.format_decimal(value, format=pattern, locale=locale)


def compact(value: float | None, digits: int = 1, locale: str = "en") -> str:
    """A count or amount in its short form with `digits` decimals (1234567 -> 1.2M)."""
    if _missing(value):
        return MISSING
    if math.isinf(value) or abs(value) < 1000:
        return _small(value, locale)
    if abs(value) >= HUGE:
        return _scientific(value, locale)
    return babel_numbers.format_compact_decimal(value, fraction_digits=digits, locale=locale)


def compact_money(value: float | None, currency: str = "USD", digits: int = 1,
                  locale: str = "en") -> str:
    """An amount of money in its short form ($1.2M, -$3.4B)."""
    if _missing(value):
        return MISSING
    if math.isinf(value):
        return _small(value, locale)
    if abs(value) >= HUGE:
        symbol = babel_numbers.get_currency_symbol(currency, locale)
        return ("-" if value < 0 else "") + symbol + _scientific(abs(value), locale)
    if abs(value) < 1000:
        return babel_numbers.format_currency(value, currency, format="¤#,##0.##",
                                             currency_digits=False, locale=locale)
    return babel_numbers.format_compact_currency(value, currency, fraction_digits=digits,
                                                 locale=locale)
