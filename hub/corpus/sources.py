"""The corpus sources by name, and which the default build uses."""

from __future__ import annotations

from pathlib import Path

from hub.corpus import docs
from hub.corpus.cldr import cldr_source
from hub.corpus.files import added_source
from hub.corpus.gettext import DEFAULT_FOLDER, gettext_source, isocodes_source
from hub.corpus.records import Source
from plumbing.errors import InputError

# Everything an install brings (babel's CLDR, pycountry's iso-codes) or the machine has.
DEFAULT_SOURCES = ("cldr", "iso-codes", "gettext")
# Optional: prose from documentation packages (`hub.corpus.docs`).
OPTIONAL_SOURCES = ("debian-docs",)


def make_sources(
    names: list[str], gettext_dirs: list[Path], added: list[str], doc_dirs: list[Path] = ()
) -> list[Source]:
    """The sources to build from: named built-in ones, then the user's added files.

    Args:
        names: source names (DEFAULT_SOURCES, OPTIONAL_SOURCES).
        gettext_dirs: folders for `gettext` (default /usr/share/locale).
        added: the user's files (`--add`).
        doc_dirs: HTML folders for `debian-docs` (default: the documentation packages'
            folders that exist, `hub.corpus.docs.default_html_dirs`).

    Raises:
        InputError: an unknown source name or a missing gettext or doc folder.
    """
    sources = []
    for name in names:
        if name == "cldr":
            sources.append(cldr_source())
        elif name == "iso-codes":
            sources.append(isocodes_source())
        elif name == "gettext":
            folders = gettext_dirs or ([DEFAULT_FOLDER] if DEFAULT_FOLDER.is_dir() else [])
            for folder in folders:
                if not Path(folder).is_dir():
                    raise InputError(f"--gettext-dir {folder}: no such folder")
                sources.append(gettext_source(Path(folder)))
        elif name == "debian-docs":
            for folder in doc_dirs:
                if not Path(folder).is_dir():
                    raise InputError(f"--doc-dir {folder}: no such folder")
            html = [Path(d) for d in doc_dirs] or docs.default_html_dirs()
            sources.append(docs.debian_docs_source(docs.MAN_ROOT, html))
        else:
            known = ", ".join((*DEFAULT_SOURCES, *OPTIONAL_SOURCES))
            raise InputError(f"--sources: unknown source {name!r}: expected {known}")
    if added:
        sources.append(added_source(added))
    return sources
