"""User files added to the corpus: TMX, plain text, JSONL, Parquet and single PO/MO catalogs.

Added as `--add PATH` (the format from the extension) or `--add LANG=PATH` for plain text
whose language is not its file name (`de.txt`, `pt_BR.txt` name themselves).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from hub.corpus.gettext import read_catalog
from hub.corpus.records import CorruptInput, Row, Source, Unit
from hub.languages import normalize_lang
from plumbing.atomic import sha256_file
from plumbing.errors import InputError

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _lang(raw: object, where: str) -> str:
    try:
        return normalize_lang(str(raw))
    except InputError as error:
        raise CorruptInput(f"{where}: {error.message}") from None


def read_tmx(path: Path) -> Iterator[Row]:
    """Rows of a TMX translation memory; a unit without an English segment is left out.

    The English original is the header's `srclang` segment (English when `*all*` or absent).
    """
    import xml.etree.ElementTree as ET

    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as error:
        raise CorruptInput(f"invalid TMX: {error}") from None
    header = root.find("header")
    srclang = header.get("srclang", "en") if header is not None else "en"
    source = _lang("en" if srclang in ("", "*all*") else srclang, "TMX header srclang")
    rows = []
    for number, unit in enumerate(root.iter("tu"), 1):
        segments = {}
        for variant in unit.iter("tuv"):
            code = variant.get(XML_LANG) or variant.get("lang")
            seg = variant.find("seg")
            if code and seg is not None:
                segments[_lang(code, f"tu {number}")] = "".join(seg.itertext())
        original = segments.pop(source, None)
        if not original:
            continue  # a unit with its source segment missing is not parallel text
        rows.append(Row(source, original, None))
        rows.extend(Row(lang, text, original) for lang, text in segments.items() if text)
    return iter(rows)


def read_text(path: Path, lang: str) -> Iterator[Row]:
    """One row per non-empty line of a UTF-8 text file in one language."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise CorruptInput(f"unreadable text file: {error}") from None
    return iter([Row(lang, line, None) for line in lines if line.strip()])


def _record_row(record: object, where: str) -> Row:
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise CorruptInput(f"{where}: expected an object with string fields 'lang' and 'text'")
    en = record.get("en")
    if en is not None and not isinstance(en, str):
        raise CorruptInput(f"{where}: field 'en' must be a string or null")
    return Row(_lang(record.get("lang"), f"{where} field 'lang'"), record["text"], en)


def read_jsonl(path: Path) -> Iterator[Row]:
    """Rows of a JSON Lines file with fields `lang`, `text` and optionally `en`."""
    rows = []
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError as error:
                        raise CorruptInput(f"line {number}: invalid JSON ({error.msg})") from None
                    rows.append(_record_row(record, f"line {number}"))
    except (OSError, UnicodeDecodeError) as error:
        raise CorruptInput(f"unreadable JSONL: {error}") from None
    return iter(rows)


def read_parquet(path: Path) -> Iterator[Row]:
    """Rows of a Parquet file with string columns `lang`, `text` and optionally `en`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as error:
        raise CorruptInput(f"unreadable Parquet: {error}") from None
    missing = {"lang", "text"} - set(table.column_names)
    if missing:
        raise CorruptInput(f"missing column(s) {sorted(missing)}: expected 'lang' and 'text'")
    en = table.column("en").to_pylist() if "en" in table.column_names else [None] * len(table)
    langs, texts = table.column("lang").to_pylist(), table.column("text").to_pylist()
    return iter(
        [
            _record_row({"lang": lang, "text": text, "en": original}, f"row {index}")
            for index, (lang, text, original) in enumerate(zip(langs, texts, en, strict=True))
        ]
    )


def _unit(spec: str) -> Unit:
    lang, sep, name = spec.partition("=")
    path = Path(name if sep else spec)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(f"--add {spec}: no such file {path}")
    if suffix == ".tmx":
        return Unit(str(path), partial(read_tmx, path))
    if suffix == ".jsonl":
        return Unit(str(path), partial(read_jsonl, path))
    if suffix == ".parquet":
        return Unit(str(path), partial(read_parquet, path))
    if suffix in (".po", ".mo"):
        return Unit(str(path), partial(read_catalog, path, normalize_lang(lang) if sep else None))
    if suffix == ".txt":
        return Unit(str(path), partial(read_text, path, normalize_lang(lang if sep else path.stem)))
    raise InputError(
        f"--add {spec}: unknown format {suffix or '(none)'}: expected .tmx, .txt, .jsonl, "
        ".parquet, .po or .mo"
    )


def added_source(specs: list[str]) -> Source:
    """The user's added files as one source; the version lists each file's sha256."""
    units = [_unit(spec) for spec in specs]
    version = ", ".join(f"{Path(u.label).name}:{sha256_file(u.label)[:16]}" for u in units)
    return Source("added", version, units, "the user's (added files)")
