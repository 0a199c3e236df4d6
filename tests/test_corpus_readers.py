import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hub.corpus.files import added_source, read_jsonl, read_parquet, read_text, read_tmx
from hub.corpus.gettext import catalog_language, gettext_source, read_catalog
from hub.corpus.records import CorruptInput, Row
from plumbing.errors import InputError

PO = r"""msgid ""
msgstr ""
"Language: de\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

msgid "Open %s"
msgstr "%s öffnen"

msgid "one file"
msgid_plural "%d files"
msgstr[0] "eine Datei"
msgstr[1] "%d Dateien"

#, fuzzy
msgid "Unsure"
msgstr "Unsicher"

msgid "Untranslated"
msgstr ""
"""


def write_po(folder: Path, lang: str = "de", text: str = PO) -> Path:
    path = folder / lang / "LC_MESSAGES" / "demo.po"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_mo(po: Path) -> Path:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(po, "rb") as handle:
        catalog = read_po(handle)
    mo = po.with_suffix(".mo")
    with open(mo, "wb") as handle:
        write_mo(handle, catalog)
    return mo


def test_po_with_plural_forms(tmp_path):
    rows = list(read_catalog(write_po(tmp_path)))
    translated = {(r.text, r.en) for r in rows if r.lang == "de"}
    assert translated == {
        ("%s öffnen", "Open %s"),
        ("eine Datei", "one file"),
        ("%d Dateien", "%d files"),
    }
    assert {r.text for r in rows if r.lang == "en"} == {"Open %s", "one file", "%d files"}
    assert all(r.en is None for r in rows if r.lang == "en")


def test_mo_reads_like_its_po(tmp_path):
    po = write_po(tmp_path)
    mo = write_mo(po)
    assert set(read_catalog(mo)) == set(read_catalog(po))


@pytest.mark.parametrize(
    "content", [b"", b"not a catalog at all", b"\xde\x12\x04\x95" + b"\xff" * 30]
)
def test_corrupt_mo_is_a_corrupt_input(tmp_path, content):
    path = tmp_path / "de" / "LC_MESSAGES" / "broken.mo"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.raises(CorruptInput, match="MO"):
        list(read_catalog(path))


def test_language_from_path_or_name(tmp_path):
    assert catalog_language(Path("/x/pt_BR/LC_MESSAGES/a.mo")) == "pt-BR"
    assert catalog_language(Path("/x/fi/LC_TIME/coreutils.mo")) == "fi"
    assert catalog_language(Path("/x/po/sr@latin.po")) == "sr-Latn"
    with pytest.raises(CorruptInput, match="no language"):
        catalog_language(Path("/x/po/messages.po"))


def test_gettext_folder_lists_po_and_mo(tmp_path):
    write_mo(write_po(tmp_path))
    source = gettext_source(tmp_path)
    assert sorted(Path(u.label).suffix for u in source.units) == [".mo", ".po"]


TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="en" datatype="plaintext" segtype="sentence"
 adminlang="en" creationtool="test" creationtoolversion="1" o-tmf="none"/>
<body>
 <tu><tuv xml:lang="en"><seg>Save the file</seg></tuv>
     <tuv xml:lang="de"><seg>Datei speichern</seg></tuv>
     <tuv xml:lang="pt-BR"><seg>Salvar o arquivo</seg></tuv></tu>
 <tu><tuv xml:lang="en"></tuv>
     <tuv xml:lang="de"><seg>Ohne Quelle</seg></tuv></tu>
 <tu><tuv xml:lang="fr"><seg>Pas d'anglais</seg></tuv></tu>
 <tu><tuv xml:lang="en"><seg>Close <bpt i="1">&lt;b&gt;</bpt>now<ept
     i="1">&lt;/b&gt;</ept></seg></tuv>
     <tuv xml:lang="de_DE"><seg>Jetzt schließen</seg></tuv></tu>
</body></tmx>
"""


def test_tmx_skips_units_with_a_missing_segment(tmp_path):
    path = tmp_path / "memory.tmx"
    path.write_text(TMX, encoding="utf-8")
    rows = list(read_tmx(path))
    assert Row("de", "Datei speichern", "Save the file") in rows
    assert Row("pt-BR", "Salvar o arquivo", "Save the file") in rows
    assert Row("de-DE", "Jetzt schließen", "Close <b>now</b>") in rows
    assert not any(r.text in ("Ohne Quelle", "Pas d'anglais") for r in rows)


def test_invalid_tmx(tmp_path):
    path = tmp_path / "bad.tmx"
    path.write_text("<tmx><body><tu>", encoding="utf-8")
    with pytest.raises(CorruptInput, match="invalid TMX"):
        list(read_tmx(path))


def test_plain_text(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Erste Zeile\n\n  \nZweite Zeile\n", encoding="utf-8")
    assert list(read_text(path, "de")) == [
        Row("de", "Erste Zeile", None),
        Row("de", "Zweite Zeile", None),
    ]
    path.write_bytes(b"\xff\xfe bad")
    with pytest.raises(CorruptInput, match="unreadable"):
        list(read_text(path, "de"))


def test_jsonl(tmp_path):
    path = tmp_path / "rows.jsonl"
    lines = [{"lang": "pt_BR", "text": "Olá", "en": "Hello"}, {"lang": "de", "text": "Hallo"}]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    assert list(read_jsonl(path)) == [Row("pt-BR", "Olá", "Hello"), Row("de", "Hallo", None)]
    path.write_text(
        '{"lang": "de", "text": "ok"}\n{"lang": "xx", "text": "bad"}\n', encoding="utf-8"
    )
    with pytest.raises(CorruptInput, match="line 2 field 'lang'"):
        list(read_jsonl(path))
    path.write_text('{"lang": "de", "text": "ok"}\n{not json\n', encoding="utf-8")
    with pytest.raises(CorruptInput, match="line 2: invalid JSON"):
        list(read_jsonl(path))


def test_parquet(tmp_path):
    path = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"lang": ["ja", "de"], "text": ["こんにちは", "Hallo"]}), path)
    assert list(read_parquet(path)) == [Row("ja", "こんにちは", None), Row("de", "Hallo", None)]
    pq.write_table(pa.table({"language": ["de"], "text": ["x"]}), path)
    with pytest.raises(CorruptInput, match="missing column"):
        list(read_parquet(path))


def test_added_files_by_extension_and_language(tmp_path):
    text = tmp_path / "pt_BR.txt"
    text.write_text("Olá mundo\n", encoding="utf-8")
    other = tmp_path / "notes.txt"
    other.write_text("Hallo Welt\n", encoding="utf-8")
    source = added_source([str(text), f"de={other}"])
    rows = [row for unit in source.units for row in unit.read()]
    assert rows == [Row("pt-BR", "Olá mundo", None), Row("de", "Hallo Welt", None)]
    assert "pt_BR.txt:" in source.version
    with pytest.raises(InputError, match="unknown format"):
        added_source([str(_touch(tmp_path / "x.csv"))])
    with pytest.raises(InputError, match="no such file"):
        added_source([str(tmp_path / "missing.tmx")])


def _touch(path: Path) -> Path:
    path.write_text("x", encoding="utf-8")
    return path


def test_catalog_with_a_date_header_babel_refuses_is_still_read(tmp_path):
    odd = PO.replace(
        '"Language: de\\n"', '"Language: de\\n"\n"PO-Revision-Date: 2003-02-11 SAST\\n"'
    )
    assert "SAST" in odd
    path = write_po(tmp_path, "de", odd)
    assert Row("de", "eine Datei", "one file") in list(read_catalog(path))


def test_mo_with_a_date_header_babel_refuses_is_still_read(tmp_path):
    import re

    mo = write_mo(write_po(tmp_path))
    data = mo.read_bytes()
    line = re.search(rb"PO-Revision-Date: [^\n]+", data).group()
    odd = b"PO-Revision-Date: 2003-02-11 SAST".ljust(len(line))  # offsets must not move
    mo.write_bytes(data.replace(line, odd))
    rows = list(read_catalog(mo))
    assert Row("de", "%d Dateien", "%d files") in rows and len(rows) == 6
