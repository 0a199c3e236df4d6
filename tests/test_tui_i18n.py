"""The UI's catalogs and locale handling: complete, compiled, and formatting per locale."""

from __future__ import annotations

import gettext
import io
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.cli_text import shows
from tui import i18n

TUI = Path(i18n.__file__).parent
KEYWORDS = {"_": None, "N_": None}


def code_msgids() -> set[str]:
    method_map = [("**.py", "python")]
    return {message for _file, _line, message, _comments, _context in
            extract_from_dir(str(TUI), method_map, keywords=KEYWORDS)}


def catalog(locale: str):
    with open(TUI / "locale" / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=locale)


def test_every_string_in_the_code_is_translated_to_simplified_chinese():
    zh = catalog("zh_Hans")
    ids = code_msgids()
    assert len(ids) > 100
    missing = sorted(m for m in ids if not (zh.get(m) and zh.get(m).string))
    fuzzy = sorted(m.id for m in zh if m.id and m.fuzzy)
    assert missing == [] and fuzzy == []


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_compiled_catalogs_match_their_po_files(locale):
    buffer = io.BytesIO()
    write_mo(buffer, catalog(locale))
    buffer.seek(0)
    expected = gettext.GNUTranslations(buffer)._catalog
    with open(TUI / "locale" / locale / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        shipped = gettext.GNUTranslations(handle)._catalog
    assert shipped == expected, "run `pybabel compile -d tui/locale` (see tui/i18n.py)"


def test_template_lists_every_string_in_the_code():
    with open(TUI / "locale" / "messages.pot", "rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    assert template == code_msgids(), "run the extract and update commands in tui/i18n.py"


def test_placeholders_survive_translation():
    for message in catalog("zh_Hans"):
        if message.id and message.string:
            fields = sorted(part.split("}")[0] for part in message.id.split("{")[1:])
            assert sorted(p.split("}")[0] for p in message.string.split("{")[1:]) == fields, \
                message.id


@pytest.mark.parametrize(("raw", "expected"), [
    ("zh_CN.UTF-8", "zh_Hans"), ("zh-Hans", "zh_Hans"), ("zh_Hans_SG", "zh_Hans"),
    ("zh_TW", "en"), ("en_GB.UTF-8", "en"), ("de_DE", "en"), ("nonsense!!", "en"), ("C", "en"),
])
def test_resolve_locale(raw, expected):
    assert i18n.resolve_locale(raw) == expected


def test_locale_from_the_environment(monkeypatch):
    monkeypatch.delenv("INTL_STRATEGY_LOCALE", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.resolve_locale(None) == "zh_Hans"


def test_formatting_follows_the_locale():
    try:
        i18n.set_locale("en")
        assert i18n.fmt_number(1234567.891, 1) == "1,234,567.9"
        assert i18n.fmt_percent(0.256) == "25.6%"
        assert i18n.fmt_money(1500) == "$1,500.00"
        # A 5M-parameter model serves a million characters for 3e-5 to 5e-5 USD: it must not
        # read as $0.0000 beside a production model's dollars.
        assert i18n.fmt_money(1.3e-4, significant=3) == "$0.000130"
        assert i18n.fmt_money(2.5, significant=3) == "$2.50"
        assert i18n.fmt_compact(12_500_000) == "12.5M"
        assert i18n._("Scenarios") == "Scenarios"
        i18n.set_locale("zh_Hans")
        assert i18n.fmt_compact(12_500_000) == "1250万"
        assert i18n.fmt_money(1500) == "US$1,500.00"
        assert i18n.fmt_date("2026-03-01") == "2026年3月1日"
        assert i18n._("Scenarios") == "情景"
        assert i18n.fmt_number(float("nan")) == "—"
    finally:
        i18n.set_locale("en")


def test_an_unsupported_locale_option_is_refused():
    from click.testing import CliRunner

    from tui.cli import main

    result = CliRunner().invoke(main, ["--locale", "xx_YY"])
    assert result.exit_code == 2 and shows(result.output, "unsupported UI locale")
    assert i18n.is_supported("zh_CN.UTF-8") and i18n.is_supported("en-GB")
    assert not i18n.is_supported("de")
