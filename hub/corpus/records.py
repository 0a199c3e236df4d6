"""What corpus readers produce: rows of text, units of work, and skipped inputs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple


class Row(NamedTuple):
    """One text in one language; `en` is its English original when the row is a translation."""

    lang: str
    text: str
    en: str | None


class CorruptInput(Exception):  # noqa: N818 - a reason, raised by readers and caught by the build
    """A file or catalog that cannot be read; the build skips it and records why."""


@dataclass(frozen=True)
class Unit:
    """One readable piece of a source (a catalog file, a CLDR locale) for progress and skipping."""

    label: str
    read: Callable[[], Iterable[Row]]


@dataclass(frozen=True)
class Source:
    """A named corpus source with its version, the units it reads and its licence.

    `licence` is a licence name, or for text that installed packages bring,
    {package: the licences its copyright file names} (`hub.corpus.licences`).
    """

    name: str
    version: str
    units: list[Unit]
    licence: str | dict = ""
