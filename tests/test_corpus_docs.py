"""`debian-docs`: prose paragraphs from man pages and HTML, untranslated ones dropped, licences."""

import gzip
import json

import pytest
from click.testing import CliRunner

from hub.cli import main
from hub.corpus import docs
from hub.corpus.docs import html_paragraphs, is_prose, man_units, roff_paragraphs
from hub.corpus.licences import licences_of

ENGLISH_PAGE = r""".\" comment
.TH "FOO" "1"
.SH "NAME"
foo \- frobnicate the widgets of a system
.SH "DESCRIPTION"
.PP
The \fBfoo\fR program reads its configuration from the file \fI/etc/foo.conf\fR\&.
.PP
It never writes anything to the disk, whatever options are given to it.
"""
GERMAN_PAGE = r""".TH "FOO" "1"
.SH "BESCHREIBUNG"
.PP
Das Programm \fBfoo\fR liest seine Konfiguration aus der Datei
\(Fc/etc/foo.conf\(Fo f\(:ur alle Benutzer\&.
.PP
It never writes anything to the disk, whatever options are given to it.
.SH "\(:UBERSICHT"
foo [\-a|\-b] [\-c\ file] [\-d\ dir] [\-e|\-f|\-g] [\-h]
.PP
Gr\[u00FC]\(ss\(:e gehen an alle, die diese Seite \*(Aqlesen\*(Aq und weitergeben wollen.
"""
HTML = """<html lang="fr"><head><title>Guide</title><style>p { color: red }</style>
<script>var x = "not prose at all, a script that should never be read";</script></head>
<body><h1>Installation</h1>
<p>Ce manuel explique comment installer le système &amp; le configurer pas à pas.</p>
<pre>apt-get install some-package-with-a-rather-long-name --yes --quiet</pre>
<ul><li>Chaque étape est décrite avec soin, <b>sans</b> raccourci ni jargon inutile.</li></ul>
</body></html>"""


@pytest.fixture
def man_root(tmp_path):
    root = tmp_path / "man"
    (root / "man1").mkdir(parents=True)
    (root / "man1" / "foo.1").write_text(ENGLISH_PAGE)
    (root / "man1" / "untranslated.1").write_text(ENGLISH_PAGE.replace("foo", "bar"))
    (root / "de" / "man1").mkdir(parents=True)
    (root / "de" / "man1" / "foo.1.gz").write_bytes(gzip.compress(GERMAN_PAGE.encode()))
    (root / "en@quot" / "man1").mkdir(parents=True)  # a locale this product cannot name
    return root


def test_roff_escapes_and_paragraphs():
    paragraphs = roff_paragraphs(GERMAN_PAGE)
    assert "Das Programm foo liest seine Konfiguration aus der Datei »/etc/foo.conf« für " \
        "alle Benutzer." in paragraphs
    assert "Grüßë gehen an alle, die diese Seite 'lesen' und weitergeben wollen." in paragraphs
    assert not any("\\" in p for p in paragraphs)


def test_man_pages_give_prose_rows_without_untranslated_or_synopsis(man_root):
    units = man_units(man_root)
    assert sorted(u.label.split("/man/")[1] for u in units) == ["de/man1/foo.1.gz", "man1/foo.1"]
    rows = [row for unit in units for row in unit.read()]
    german = [r.text for r in rows if r.lang == "de"]
    assert len(german) == 2 and all("It never writes" not in t for t in german)
    assert not any("[-a|-b]" in r.text for r in rows)  # a synopsis is no prose
    english = [r.text for r in rows if r.lang == "en"]
    assert "It never writes anything to the disk, whatever options are given to it." in english
    assert all(r.en is None for r in rows)


def test_html_blocks_language_and_skipped_elements(tmp_path):
    lang, blocks = html_paragraphs(HTML)
    assert lang == "fr"
    assert "Ce manuel explique comment installer le système & le configurer pas à pas." in blocks
    assert "Chaque étape est décrite avec soin, sans raccourci ni jargon inutile." in blocks
    assert not any("apt-get" in b or "script" in b or "color" in b for b in blocks)
    folder = tmp_path / "guide"
    (folder / "de" / "html").mkdir(parents=True)
    (folder / "de" / "html" / "a.html").write_text(HTML.replace(' lang="fr"', ""))
    (folder / "doc").mkdir()
    (folder / "doc" / "b.html").write_text(HTML)
    units = docs.html_units([folder])
    found = {u.label.rsplit("/", 1)[1]: [r.lang for r in u.read()] for u in units}
    assert set(found["a.html"]) == {"de"}  # the folder names the language
    assert set(found["b.html"]) == {"fr"}  # the document's lang wins; `doc` is a folder
    assert is_prose("Ein ganz normaler Satz mit mehreren Wörtern darin, lang genug.")
    assert not is_prose("kurz und knapp")


def test_licences_come_from_dpkg_lists_and_copyright_files(tmp_path, man_root):
    info, doc = tmp_path / "info", tmp_path / "doc"
    info.mkdir()
    (info / "manpages-de.list").write_text(f"{man_root}/de\n{man_root}/de/man1/foo.1.gz\n")
    (info / "other:amd64.list").write_text("/usr/bin/other\n")
    (info / "foo.list").write_text(f"{man_root}/man1/foo.1\n")
    (doc / "manpages-de").mkdir(parents=True)
    (doc / "manpages-de" / "copyright").write_text(
        "Files: *\nLicense: GPL-3+\n text\n\nFiles: a\nLicense: GPL-3+\n\nFiles: b\nLicense: MIT\n"
    )
    found = licences_of([man_root], info, doc)
    assert found == {"foo": [f"see {doc / 'foo' / 'copyright'}"], "manpages-de": ["GPL-3+", "MIT"]}


def test_corpus_build_with_debian_docs_records_the_source(tmp_path, man_root, monkeypatch):
    monkeypatch.setattr(docs, "MAN_ROOT", man_root)
    html = tmp_path / "html" / "fr"
    html.mkdir(parents=True)
    (html / "index.html").write_text(HTML)
    home = tmp_path / "home"
    args = ["corpus", "build", "--home", str(home), "--sources", "debian-docs"]
    result = CliRunner().invoke(main, [*args, "--doc-dir", str(html.parent)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((home / "_corpus" / "manifest.json").read_text())
    (source,) = manifest["sources"]
    assert source["name"] == "debian-docs" and isinstance(source["licence"], dict)
    assert set(manifest["languages"]) == {"de", "en", "fr"}
    missing = CliRunner().invoke(main, [*args, "--doc-dir", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "--doc-dir" in missing.output
