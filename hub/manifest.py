"""sha256 manifests: one format for registry versions and export bundles.

`manifest.json` lists every file of a folder by its relative POSIX path (at most
`folder/file`), with its sha256 and its size (so a truncated file is named without
hashing it), plus the owner's own fields: a registry version adds `content_hash`,
`created_at` and `derived`. Dot names are in-flight temporaries and never listed.

An entry that is not a plain name inside the folder (`..`, absolute, through a link) is
judged by its name and the links on its way only: what it points at is never opened, not
even for its size.
"""

from __future__ import annotations

import json
from pathlib import Path

from hub.names import is_inside
from plumbing.atomic import sha256_file, write_text
from plumbing.checked_files import read_json
from plumbing.errors import InputError

MANIFEST = "manifest.json"
FORMAT = 1
DEPTH = 2  # names lie at most one folder deep (`genai-int8/model.onnx`)


def listed_files(folder: Path) -> list[str]:
    """Relative POSIX paths of the files under `folder`, the manifest and dot names excepted."""
    found = []
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in name.split("/")) or name == MANIFEST:
            continue
        if path.is_symlink() or not path.is_dir():
            found.append(name)
    return found


def write_manifest(folder: Path, **fields: object) -> dict:
    """Hash every file of `folder` into its `manifest.json` (written atomically), with `fields`."""
    names = [n for n in listed_files(folder) if (folder / n).is_file()]
    manifest = {
        "format": FORMAT,
        "files": {n: sha256_file(folder / n) for n in names},
        "bytes": {n: (folder / n).stat().st_size for n in names},
        **fields,
    }
    write_text(folder / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def record(manifest: dict, name: str, path: Path) -> None:
    """Enter the file at `path` (about to become `name`) into a parsed manifest."""
    manifest["files"][name] = sha256_file(path)
    manifest.setdefault("bytes", {})[name] = path.stat().st_size


def save(folder: Path, manifest: dict) -> None:
    """Write a parsed manifest back, atomically."""
    write_text(folder / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def read_manifest(folder: Path, fix: str) -> dict:
    """A folder's parsed manifest, its maps checked.

    Args:
        folder: The version or bundle folder.
        fix: What the user can do about a damaged one, appended to the message.

    Raises:
        InputError: missing, not JSON, or `files`/`bytes` not maps of names to digests/sizes.
    """
    path = folder / MANIFEST
    try:
        manifest = read_json(path, "manifest", {"files": dict})
    except InputError as error:
        raise InputError(f"{error.message}; {fix}") from None
    files, sizes = manifest["files"], manifest.get("bytes", {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        raise InputError(f"{path}: `files` is not a map of file names to sha256 digests; {fix}")
    if not isinstance(sizes, dict) or not all(
            isinstance(n, int) and not isinstance(n, bool) for n in sizes.values()):
        raise InputError(f"{path}: `bytes` is not a map of file names to sizes; {fix}")
    return manifest


def entries_outside(folder: Path, manifest: dict, what: str) -> list[str]:
    """One message per entry that is not a plain name inside `folder` (none of them read)."""
    return [f"{folder / MANIFEST}: entry {name!r} is not a plain name inside the {what} "
            "(at most folder/file, no '..', no link on the way); it was not read"
            for name in sorted(manifest["files"]) if not is_inside(folder, name, depth=DEPTH)]


def problems(folder: Path, manifest: dict, what: str) -> list[str]:
    """Every difference between `folder` and its manifest, one message each.

    Entries outside the folder, files missing, truncated or altered, and files the manifest
    does not list.
    """
    found = entries_outside(folder, manifest, what)
    sizes = manifest.get("bytes", {})
    for name, expected in sorted(manifest["files"].items()):
        path = folder / name
        if not is_inside(folder, name, depth=DEPTH):
            continue
        if path.is_symlink() or not path.is_file():
            found.append(f"{path}: missing (listed in {MANIFEST})")
        elif name in sizes and (size := path.stat().st_size) != sizes[name]:
            found.append(f"{path}: {size} bytes, manifest expects {sizes[name]} "
                         "(truncated or altered)")
        elif (actual := sha256_file(path)) != expected:
            found.append(f"{path}: sha256 {actual[:12]}… differs from manifest {expected[:12]}…")
    listed = set(manifest["files"])
    found += [f"{folder / name}: not listed in {MANIFEST} (the {what} holds only what its "
              "manifest names)" for name in listed_files(folder) if name not in listed]
    return found
