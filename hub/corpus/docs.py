r"""Running prose from documentation that Debian packages install per language (`debian-docs`).

Two formats, one paragraph per row:

- man pages (`/usr/share/man/<lang>/man<N>/<page>.<N>[.gz]`, and English in
  `/usr/share/man/man<N>/`), from manpages-<lang> and from every package that ships
  translated pages: roff requests and comments are dropped, font and glyph escapes resolved
  (`\(:u` is ü, `\[u00FC]` too), paragraphs end at `.PP`, `.SH`, `.TP`, `.IP` and blank
  lines;
- HTML (installation-guide-*, debian-reference-*, libreoffice-help-* and the like):
  the text of each `<p>`, `<li>`, `<dd>`, `<td>` and heading, without scripts, styles,
  code or preformatted blocks; the language is the document's `lang` attribute, else the
  folder the file lies in.

Translations often leave paragraphs in English; a paragraph that also appears in the
English page of the same name is dropped as untranslated. Code, option lists and short
fragments are no prose: a row needs MIN_CHARS characters and at least one space.

Licences are the installing packages' own (Debian main is DFSG-free); the manifest records,
per source, the licences named in each package's `/usr/share/doc/<package>/copyright`.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from functools import partial
from html.parser import HTMLParser
from pathlib import Path

from hub.corpus.licences import licences_of
from hub.corpus.records import CorruptInput, Row, Source, Unit
from hub.languages import normalize_lang
from plumbing.errors import InputError

MIN_CHARS = 40
# `apropos [-dalv?V] [-e|-w|-r] ...` is about half letters; a sentence is above 80%.
MIN_LETTER_SHARE = 0.7
MAN_ROOT = Path("/usr/share/man")
# Glyph escapes that translated pages use (groff_char(7)); others are dropped.
GLYPHS = {
    ":a": "ä", ":o": "ö", ":u": "ü", ":A": "Ä", ":O": "Ö", ":U": "Ü", ":e": "ë", ":i": "ï",
    "ss": "ß", "'e": "é", "`e": "è", "^e": "ê", "'a": "á", "`a": "à", "^a": "â", ",c": "ç",
    "~n": "ñ", "'o": "ó", "'i": "í", "'u": "ú", "aa": "´", "aq": "'", "dq": '"', "em": "—",
    "en": "–", "hy": "-", "lq": "“", "rq": "”", "oq": "‘", "cq": "’", "Bq": "„", "bq": "‚",
    "Fo": "«", "Fc": "»", "fo": "‹", "fc": "›", "bu": "•", "mu": "×", "co": "©", "rg": "®",
    "tm": "™", "de": "°", "->": "→", "<-": "←", "Aq": "'", "L\"": "“", "R\"": "”",
}  # fmt: skip
_ESCAPE = re.compile(
    r"\\(?:\((?P<two>..)|\[(?P<long>[^\]]*)\]|\*(?:\((?P<str2>..)|\[(?P<strl>[^\]]*)\]|(?P<str1>.))"
    r"|f(?:\(..|\[[^\]]*\]|.)|s[+-]?\d+|(?P<one>.))"
)
_BREAKS = {"PP", "P", "LP", "SH", "SS", "TP", "IP", "HP", "sp", "br", "TH", "RS", "RE"}
_FOLDER_TAG = re.compile(r"[a-z]{2}([_-][A-Za-z]{2,4})?")
_ONE = {"-": "-", "e": "\\", "&": "", "c": "", "|": "", "^": "", " ": " ", "~": " ", "0": " "}


def _unescape(match: re.Match) -> str:
    glyph = match["two"] or match["str2"] or match["strl"] or match["str1"]
    if glyph is not None:
        return GLYPHS.get(glyph, "")
    if match["long"] is not None:
        name = match["long"]
        if re.fullmatch(r"u[0-9A-Fa-f]{4,6}", name):
            return chr(int(name[1:], 16))
        return GLYPHS.get(name, "")
    if match["one"] is not None:
        return _ONE.get(match["one"], "")
    return ""  # font and size changes


def roff_paragraphs(source: str) -> list[str]:
    """The prose paragraphs of a roff (man) page, escapes resolved, in order."""
    paragraphs, current = [], []
    for line in source.splitlines():
        if line.startswith((".", "'")):
            request = line[1:].split(maxsplit=1)
            name = request[0] if request else ""
            if name in _BREAKS or name.startswith('\\"') or not name:
                if current:
                    paragraphs.append(" ".join(current))
                current = []
            if name in {"B", "I", "BR", "IR", "RB", "RI", "BI", "IB"} and len(request) > 1:
                current.append(request[1].replace('"', ""))  # a font request holds text
            continue
        if not line.strip():
            if current:
                paragraphs.append(" ".join(current))
            current = []
            continue
        current.append(line.strip())
    if current:
        paragraphs.append(" ".join(current))
    return [" ".join(_ESCAPE.sub(_unescape, p).split()) for p in paragraphs]


class _HtmlText(HTMLParser):
    BLOCKS = {"p", "li", "dd", "dt", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "title"}
    SKIPPED = {"script", "style", "pre", "code", "kbd", "samp", "tt"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag == "html" and self.lang is None:
            self.lang = dict(attrs).get("lang") or dict(attrs).get("xml:lang")
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self._flush()

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data):
        if not self.skipping:
            self.current.append(data)

    def _flush(self):
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []


def html_paragraphs(source: str) -> tuple[str | None, list[str]]:
    """(the document's lang attribute, its text blocks in order)."""
    parser = _HtmlText()
    parser.feed(source)
    parser.close()
    parser._flush()
    return parser.lang, parser.blocks


def is_prose(text: str) -> bool:
    """Long enough, words between spaces, mostly letters (not a synopsis or a command line)."""
    if len(text) < MIN_CHARS or " " not in text:
        return False
    visible = [c for c in text if not c.isspace()]
    return sum(c.isalpha() for c in visible) >= MIN_LETTER_SHARE * len(visible)


def _read(path: Path) -> str:
    try:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise CorruptInput(f"unreadable: {error}") from None
    return data.decode("utf-8", errors="replace")


def _man_rows(path: Path, lang: str, english: Path | None) -> Iterator[Row]:
    seen_english = set(roff_paragraphs(_read(english))) if english and english != path else set()
    for text in roff_paragraphs(_read(path)):
        if is_prose(text) and text not in seen_english:
            yield Row(lang, text, None)


def _html_rows(path: Path, folder_lang: str) -> Iterator[Row]:
    declared, blocks = html_paragraphs(_read(path))
    try:
        lang = normalize_lang(declared) if declared else folder_lang
    except InputError:
        lang = folder_lang
    for text in blocks:
        if is_prose(text):
            yield Row(lang, text, None)


def man_units(root: Path = MAN_ROOT) -> list[Unit]:
    """One unit per man page under `root`: `<lang>/man<N>/` translated, `man<N>/` English.

    English pages are read only where some language has a translation of them: the
    thousands of untranslated library pages would bury every other language.
    """
    translated: dict[Path, str] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        if folder.name.startswith("man"):
            continue
        try:
            lang = normalize_lang(folder.name.split(".")[0])
        except InputError:
            continue  # a folder like `en@quot` whose tag this product cannot name
        for page in sorted(folder.glob("man*/*")):
            translated[page] = lang
    originals = {p: _english_page(root, p) for p in translated}
    units = []
    english = sorted({page for page in originals.values() if page is not None})
    for page, lang in [*translated.items(), *((p, "en") for p in english)]:
        if page.is_file():
            read = partial(_man_rows, page, lang, originals.get(page))
            units.append(Unit(str(page), read))
    return units


def _english_page(root: Path, page: Path) -> Path | None:
    # The English original of a translated page, compressed or not.
    stem = page.name.removesuffix(".gz")
    for name in (stem, f"{stem}.gz"):
        candidate = root / page.parent.name / name
        if candidate.is_file():
            return candidate
    return None


def html_units(folders: list[Path]) -> list[Unit]:
    """One unit per HTML file under each folder, with the language its name or folder gives.

    That language is a tag-shaped part of the file name (`ch09.de.html`), else the first
    folder below the given one that names a language (`installation-guide-amd64/de/`),
    else English; the document's own `lang` attribute, where it has one, wins over all.
    """
    units = []
    for folder in folders:
        for page in sorted(folder.rglob("*.htm*")):
            inner = [p for p in page.name.split(".")[1:] if p not in ("html", "htm", "gz")]
            parts = [*inner, *page.relative_to(folder).parts[:-1]]
            units.append(Unit(str(page), partial(_html_rows, page, _tag_of(parts))))
    return units


def _tag_of(parts: list[str]) -> str:
    for part in parts:
        # Only tag-shaped names (de, pt_BR, zh-TW): `doc` or `html` are folders.
        if _FOLDER_TAG.fullmatch(part):
            try:
                return normalize_lang(part)
            except InputError:
                continue
    return "en"


# Where documentation packages put their HTML (installation-guide-<arch>/<lang>/,
# debian-reference-<lang>'s ch01.<lang>.html, libreoffice-help-<lang>'s help/<lang>/).
HTML_GLOBS = (
    "/usr/share/doc/installation-guide-*",
    "/usr/share/debian-reference",
    "/usr/share/libreoffice/help",
)


def default_html_dirs() -> list[Path]:
    """The folders of HTML_GLOBS that exist on this machine."""
    import glob

    found = (Path(p) for pattern in HTML_GLOBS for p in sorted(glob.glob(pattern)))
    return [path for path in found if path.is_dir()]


def debian_docs_source(man_root: Path = MAN_ROOT, html_dirs: list[Path] | None = None) -> Source:
    """The `debian-docs` source: man pages under `man_root` and HTML under `html_dirs`."""
    html_dirs = html_dirs or []
    units = man_units(man_root) + html_units(html_dirs)
    if not units:
        raise InputError(f"--sources debian-docs: no man pages under {man_root} and no HTML")
    roots = [man_root, *html_dirs]
    version = f"{len(units)} files under {', '.join(map(str, roots))}"
    return Source("debian-docs", version, units, licence=licences_of(roots))
