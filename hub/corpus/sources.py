"""The corpus sources by name, and which the default build uses."""

from __future__ import annotations

from pathlib import Path

from hub.corpus.records import Source
from hub.errors import InputError

# Everything an install brings (babel's CLDR, pycountry's iso-codes) or the machine has.
DEFAULT_SOURCES = ("cldr", "iso-codes", "gettext")


def make_sources(names: list[str], gettext_dirs: list[Path], added: list[str]) -> list[Source]:
    """The sources to build from: named built-in ones, then the user's added files.

    Raises:
        InputError: an unknown source name or a missing gettext folder.
    """
    from hub.corpus.cldr import cldr_source
    from hub.corpus.files import added_source
    from hub.corpus.gettext import DEFAULT_FOLDER, gettext_source, isocodes_source

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
        else:
            raise InputError(
                f"--sources: unknown source {name!r}: expected {', '.join(DEFAULT_SOURCES)}"
            )
    if added:
        sources.append(added_source(added))
    return sources
