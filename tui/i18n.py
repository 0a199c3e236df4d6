"""The UI's language: gettext catalogs managed with babel, and locale-aware formatting.

Every user-facing string goes through `_` (translated now) or `N_` (marked for
extraction, translated where it is shown, e.g. binding descriptions declared at
class level). Numbers, money, percentages and dates are formatted by babel for the
current locale. Catalogs live in `tui/locale/` and are refreshed with::

    pybabel extract -F tui/babel.cfg -k N_ --no-location -o tui/locale/messages.pot tui
    pybabel update -N --ignore-obsolete -i tui/locale/messages.pot -d tui/locale
    (translate the new entries of tui/locale/zh_Hans/LC_MESSAGES/messages.po)
    pybabel compile -d tui/locale

`tests/test_tui_i18n.py` fails when a string of the code is missing from a catalog or a
compiled catalog is older than its .po file.
"""

from __future__ import annotations

import gettext
import math
import os
from datetime import date, datetime
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from plumbing.numbers import compact, compact_money

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
DEFAULT_LOCALE = "en"
SUPPORTED_LOCALES = ("en", "zh_Hans")
ENV_VARS = ("INTL_STRATEGY_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG")

_translations: gettext.NullTranslations = gettext.NullTranslations()
_locale: Locale = Locale.parse(DEFAULT_LOCALE)


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a string for extraction without translating it yet."""
    return message


def _(message: str) -> str:
    """Translate a message into the current UI locale."""
    return _translations.gettext(message)


def resolve_locale(requested: str | None = None) -> str:
    """The supported UI locale best matching `requested`, else the environment, else English.

    Accepts POSIX and BCP 47 spellings: `zh_CN.UTF-8`, `zh-Hans`, `zh_Hans_CN` all give
    `zh_Hans`; anything unknown or unsupported falls back to `en`.
    """
    candidates = [requested] if requested else [os.environ.get(v) for v in ENV_VARS]
    for raw in candidates:
        if not raw or raw in ("C", "POSIX"):
            continue
        tag = raw.split(".")[0].split("@")[0].replace("-", "_")
        try:
            parsed = Locale.parse(tag)
        except (ValueError, UnknownLocaleError):
            continue
        if parsed.language == "zh" and (parsed.script or "Hans") == "Hans":
            return "zh_Hans"
        if parsed.language == "en":
            return "en"
        if requested:
            break
    return DEFAULT_LOCALE


def is_supported(requested: str) -> bool:
    """Whether `requested` names a supported UI locale (in any spelling, e.g. zh_CN.UTF-8)."""
    chosen = resolve_locale(requested)
    return chosen != DEFAULT_LOCALE or requested.replace("-", "_").split("_")[0].lower() == "en"


def set_locale(name: str) -> str:
    """Switch the UI to a supported locale (see `resolve_locale`); returns the one chosen."""
    global _translations, _locale
    chosen = resolve_locale(name)
    _locale = Locale.parse(chosen)
    _translations = gettext.translation(
        DOMAIN, localedir=LOCALE_DIR, languages=[chosen], fallback=True
    )
    return chosen


def current_locale() -> str:
    """The current UI locale's identifier, e.g. `en` or `zh_Hans`."""
    return str(_locale)


def next_locale() -> str:
    """The supported locale after the current one, for the switch-language action."""
    current = current_locale()
    index = SUPPORTED_LOCALES.index(current) if current in SUPPORTED_LOCALES else 0
    return SUPPORTED_LOCALES[(index + 1) % len(SUPPORTED_LOCALES)]


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_number(value: float | None, digits: int = 0) -> str:
    """A number with the locale's grouping and decimal signs; an em dash when missing."""
    if _missing(value):
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=_locale)


def fmt_compact(value: float | None) -> str:
    """A large number in the locale's short form (1.2M, 120万)."""
    return compact(value, locale=str(_locale))


def fmt_money(value: float | None, currency: str = "USD", compact: bool = False,
              digits: int | None = None, significant: int | None = None) -> str:
    """An amount of money in the locale's currency format.

    `digits` fixes the decimals; `significant` shows that many significant digits however
    small the amount (a small model's serving cost is fractions of a cent).
    """
    if _missing(value):
        return "—"
    if significant is not None and value:
        digits = max(2, significant - 1 - math.floor(math.log10(abs(value))))
    if digits is not None:
        return babel_numbers.format_currency(value, currency, format="¤#,##0." + "0" * digits,
                                             currency_digits=False, locale=_locale)
    if compact:
        return compact_money(value, currency, locale=str(_locale))
    return babel_numbers.format_currency(value, currency, locale=_locale)


def fmt_percent(value: float | None, digits: int = 1) -> str:
    """A fraction (0.25) as a percentage in the locale's format (25.0%)."""
    if _missing(value):
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return babel_numbers.format_percent(value, format=pattern, locale=_locale)


def fmt_date(value: date | datetime | str) -> str:
    """A date in the locale's medium format; accepts ISO 8601 strings."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        return babel_dates.format_datetime(value, format="medium", locale=_locale)
    return babel_dates.format_date(value, format="medium", locale=_locale)


def fmt_duration(seconds: float) -> str:
    """A duration in the locale's words, rounded to its largest unit (about 2 minutes)."""
    return babel_dates.format_timedelta(max(seconds, 1.0), threshold=1.5, locale=_locale)


def fmt_signed_percent(value: float | None, digits: int = 1) -> str:
    """A relative change as a signed percentage (+3.2%, −1.0%)."""
    if _missing(value):
        return "—"
    text = fmt_percent(abs(value), digits)
    return ("+" if value >= 0 else "−") + text


set_locale(DEFAULT_LOCALE)


def language_name(locale: str | None = None) -> str:
    """A locale's name in its own language (English, 中文 (简体)), for the language switch."""
    return Locale.parse(locale or current_locale()).get_display_name() or str(locale)


def territory_name(iso2: str) -> str:
    """A country's name in the UI language (CLDR), falling back to the code."""
    return _locale.territories.get(iso2, iso2)
