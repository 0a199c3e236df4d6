"""The licences of text that installed Debian packages bring, for the corpus manifest.

Which package installed a file is in dpkg's file lists (`/var/lib/dpkg/info/<pkg>.list`);
its licences are the `License:` fields of its machine-readable copyright file
(`/usr/share/doc/<pkg>/copyright`, DEP-5). A package without such fields is listed with
`see <its copyright file>`, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

DPKG_INFO = Path("/var/lib/dpkg/info")
DOC_ROOT = Path("/usr/share/doc")
_LICENSE = re.compile(r"^License:\s*(\S.*)$", re.M)


def owning_packages(roots: Iterable[Path], info: Path = DPKG_INFO) -> list[str]:
    """Packages that installed at least one file under any of `roots`, sorted."""
    prefixes = tuple(str(Path(root)).rstrip("/") + "/" for root in roots)
    found = set()
    for listing in sorted(info.glob("*.list")) if info.is_dir() else []:
        try:
            lines = listing.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        if any(line.startswith(prefixes) for line in lines):
            found.add(listing.stem.split(":")[0])  # `pkg:amd64.list` names pkg
    return sorted(found)


def package_licences(package: str, docs: Path = DOC_ROOT) -> list[str]:
    """The distinct `License:` values of a package's copyright file, in order of appearance."""
    path = docs / package / "copyright"
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return list(dict.fromkeys(match.strip() for match in _LICENSE.findall(text)))


def licences_of(roots: Iterable[Path], info: Path = DPKG_INFO, docs: Path = DOC_ROOT) -> dict:
    """{package: its licences (or where to read them)} for the packages that own `roots`.

    Files no package owns (a user's folder) give `{}`: their licence is the user's to know.
    """
    result = {}
    for package in owning_packages(roots, info):
        found = package_licences(package, docs)
        result[package] = found or [f"see {docs / package / 'copyright'}"]
    return result
