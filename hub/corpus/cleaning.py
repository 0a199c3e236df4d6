"""Cleaning rules for corpus rows: Unicode NFC, no control characters, script sanity, dedup.

Format placeholders (`%s`, `{0}`, `%(name)s`) are text like any other and kept as they are.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import cache

import regex

from hub.corpus.records import Row
from hub.languages import default_script

# C0 and C1 controls, except tab and newline which multi-line messages use.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Writing systems that mix scripts: a row must contain a letter of one of them.
_SCRIPT_SETS = {
    "Jpan": ("Hira", "Kana", "Hani"),
    "Kore": ("Hang", "Hani"),
    "Hans": ("Hani",),
    "Hant": ("Hani",),
}


def clean_text(text: str) -> str:
    """NFC-normalise, drop control characters and trim surrounding whitespace."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", text)).strip()


def expected_script(lang: str) -> str | None:
    """The ISO 15924 script a language's text is written in (explicit subtag, else CLDR's)."""
    parts = lang.split("-")
    if len(parts) > 1 and len(parts[1]) == 4:
        return parts[1]
    return default_script(parts[0])


@cache
def _script_pattern(lang: str) -> regex.Pattern | None:
    script = expected_script(lang)
    if script is None:
        return None
    scripts = _SCRIPT_SETS.get(script, (script,))
    try:
        return regex.compile("[" + "".join(rf"\p{{scx={s}}}" for s in scripts) + "]")
    except regex.error:
        return None  # a script the regex module does not know: no check rather than no text


def script_ok(lang: str, text: str) -> bool:
    """Whether the text contains at least one letter of the language's script."""
    pattern = _script_pattern(lang)
    return pattern is None or pattern.search(text) is not None


class Cleaner:
    """Cleans rows and drops empty, untranslated, wrong-script and duplicate ones, counting why."""

    def __init__(self) -> None:
        self.dropped: Counter[str] = Counter()
        self._seen: dict[str, set[str]] = {}

    def clean(self, row: Row) -> Row | None:
        """The cleaned row, or None when it is dropped (the reason is counted)."""
        text = clean_text(row.text)
        en = clean_text(row.en) if row.en is not None else None
        if not text:
            reason = "empty"
        elif en is not None and text == en:
            reason = "untranslated"
        elif not script_ok(row.lang, text):
            reason = "wrong script"
        else:
            seen = self._seen.setdefault(row.lang, set())
            if text not in seen:
                seen.add(text)
                return Row(row.lang, text, en or None)
            reason = "duplicate"
        self.dropped[reason] += 1
        return None
