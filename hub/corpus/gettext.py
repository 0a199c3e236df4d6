"""Gettext catalogs (PO and MO, read with babel.messages) and iso-codes via pycountry.

A catalog's language comes from its path (`.../de/LC_MESSAGES/x.mo`, any LC_ category),
else from its file name (`pt_BR.po`). The msgid is taken as the English original: each
translated message gives a row in the catalog's language with `en` set, and a row of English
text (an `en` catalog's strings are English text themselves). Plural forms pair the singular
msgid with the first form and the plural msgid with the others. Fuzzy (unreviewed)
translations are left out.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from hub.corpus.licences import licences_of
from hub.corpus.records import CorruptInput, Row, Source, Unit
from hub.languages import normalize_lang
from plumbing.errors import InputError

DEFAULT_FOLDER = Path("/usr/share/locale")
EXTENSIONS = (".po", ".mo")
MAX_REASON = 200  # characters of a skip reason kept for the warning and the manifest


def catalog_language(path: Path) -> str:
    """The language a catalog file is for, from its path.

    Raises:
        CorruptInput: when neither the folder nor the name is a language code.
    """
    parts = path.parts
    # Locale folders hold categories (LC_MESSAGES, LC_TIME): the language is above them.
    raw = parts[-3] if len(parts) >= 3 and parts[-2].startswith("LC_") else path.stem
    try:
        return normalize_lang(raw)
    except InputError as error:
        raise CorruptInput(f"no language: {error.message}") from None


def _load(path: Path):
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    try:
        data = path.read_bytes()
    except OSError as error:
        raise CorruptInput(f"unreadable: {error.strerror or error}") from None

    def parse(content: bytes):
        if path.suffix == ".mo":
            return read_mo(io.BytesIO(content))
        return read_po(io.BytesIO(content), abort_invalid=True)

    try:
        try:
            return parse(data)
        except ValueError:
            # babel refuses date headers it cannot parse ('2003-02-11', '... SAST'); they are
            # metadata only, so rename them (same length: MO offsets stay valid) and retry.
            return parse(_without_date_headers(data))
    except Exception as error:  # noqa: BLE001 - babel raises many kinds on corrupt input
        if isinstance(error, UnicodeDecodeError):  # its message would quote the whole string
            error = f"text is not UTF-8 ({error.reason} at byte {error.start})"
        reason = f"corrupt {path.suffix[1:].upper()} catalog: {error!r}"
        raise CorruptInput(reason[:MAX_REASON]) from None


_DATE_HEADERS = (b"POT-Creation-Date:", b"PO-Revision-Date:")


def _without_date_headers(data: bytes) -> bytes:
    for name in _DATE_HEADERS:
        data = data.replace(name, name[:-2] + b"_:")  # same length, a name babel ignores
    return data


def read_catalog(path: Path, lang: str | None = None) -> Iterator[Row]:
    """Rows of one PO or MO catalog (translations with their English originals).

    Raises:
        CorruptInput: when the file cannot be read or parsed, or has no language.
    """
    lang = lang or catalog_language(path)
    catalog = _load(path)
    rows = []
    for message in catalog:
        if not message.id or not message.string or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        for index, text in enumerate(strings):
            original = ids[min(index, len(ids) - 1)]
            if not (text and original):
                continue
            if lang == "en":
                # English catalogs rewrite English (quotes, spelling, or symbolic msgids):
                # their text is English, not a translation of it.
                rows.append(Row("en", text, None))
            else:
                rows.append(Row(lang, text, original))
                rows.append(Row("en", original, None))
    return iter(rows)


def gettext_source(
    folder: Path = DEFAULT_FOLDER, name: str = "gettext", version: str = "", licence=None
) -> Source:
    """Every PO and MO catalog under `folder`, one unit per file.

    The licence, unless given, is that of the packages that installed the catalogs.
    """
    files = sorted(p for p in Path(folder).rglob("*") if p.suffix in EXTENSIONS and p.is_file())
    units = [Unit(str(path), partial(read_catalog, path)) for path in files]
    licence = licences_of([Path(folder)]) if licence is None else licence
    return Source(name, version or f"{len(files)} catalogs in {folder}", units, licence)


def isocodes_source() -> Source:
    """The iso-codes translations (countries, languages, scripts, currencies) in pycountry."""
    import pycountry

    folder = Path(pycountry.__file__).parent / "locales"
    version = f"pycountry {pycountry.__version__}"
    return gettext_source(folder, "iso-codes", version, "LGPL-2.1-or-later (iso-codes)")
