"""Export bundles: file layout, sha256 manifest, safe tar extraction, external-data checks.

A bundle is one folder (or a tar of it) that the tools ML engineers use open as it is:

    config.json, model.safetensors, generation_config.json,     a Hugging Face Llama folder
      tokenizer.json, tokenizer_config.json, special_tokens_map.json
    model.gguf                                                  the same weights for llama.cpp
    genai-fp32/, genai-int8/, genai-int4/                       onnxruntime-genai graphs, each
      model.onnx, model.onnx.data, genai_config.json,           with its tokenizer files
      tokenizer files
    intl_config.json                                            the product's own config
    README.md, metrics.parquet                                  model card, measurements
    manifest.json                                               sha256 and size of every file

Manifest entries are relative POSIX paths inside the bundle. Nothing in a bundle is used
before its manifest is checked, and an ONNX file whose external data points outside the
bundle is refused before any onnxruntime session sees it.
"""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import tarfile
from pathlib import Path

from hub.names import is_inside
from plumbing.atomic import sha256_file, temp_dir, write_text, write_with
from plumbing.errors import InputError

GRAPH = "model.onnx"
MODEL_FP32 = f"genai-fp32/{GRAPH}"
MODEL_INT8 = f"genai-int8/{GRAPH}"
MODEL_INT4 = f"genai-int4/{GRAPH}"
MODEL_BY_PRECISION = {"fp32": MODEL_FP32, "int8": MODEL_INT8, "int4": MODEL_INT4}
TOKENIZER = "tokenizer.json"
CONFIG = "intl_config.json"  # the product's config (a registry version's config.json)
HF_CONFIG = "config.json"  # the Llama config
MODEL_CARD = "README.md"
METRICS = "metrics.parquet"
GENAI_CONFIG = "genai_config.json"
MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
# Extraction limits, checked before a byte is written. A bundle is about 30 files (HF folder
# plus three genai folders); the largest the hub builds (size base: ~30M parameters, every
# precision) is well under 1 GB, and ONNX keeps single files under 2 GB.
MAX_TAR_MEMBERS = 1_000
MAX_TAR_BYTES = 16 * 2**30


def write_manifest(folder: Path) -> dict:
    """Hash every regular file of `folder` (except the manifest) into `manifest.json`.

    Same shape as a registry version's manifest (`files`: name -> sha256), plus each
    file's size so a truncated file is named as such without hashing it.
    """
    names = [n for n in bundle_files(folder) if (folder / n).is_file()]
    manifest = {
        "format": MANIFEST_FORMAT,
        "files": {n: sha256_file(folder / n) for n in names},
        "bytes": {n: (folder / n).stat().st_size for n in names},
    }
    write_text(folder / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def bundle_files(folder: Path) -> list[str]:
    """Relative POSIX paths of the files under `folder`, the manifest excepted.

    Dot names are skipped: they are in-flight temporaries, which nothing ever loads.
    """
    found = []
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in name.split("/")) or name == MANIFEST:
            continue
        if path.is_symlink() or not path.is_dir():
            found.append(name)
    return found


def read_manifest(folder: Path) -> dict:
    """A bundle's parsed manifest; InputError if it is missing or malformed."""
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files, sizes = manifest["files"], manifest.get("bytes", {})
        if not all(isinstance(h, str) for h in files.values()) or not isinstance(sizes, dict):
            raise ValueError("expected 'files' to map file names to sha256 hex digests")
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in sizes.values()):
            raise ValueError("expected 'bytes' to map file names to sizes in bytes")
        for name in files:
            # Judged by the name and the links on its way only: a file outside the bundle
            # is never opened, not even for its size or hash.
            if not is_inside(folder, name, depth=2):
                raise ValueError(f"entry {name!r} is not a plain name inside the bundle "
                                 "(at most folder/file, no '..', no link on the way)")
    except FileNotFoundError:
        raise InputError(f"{path}: missing; a bundle must carry its manifest") from None
    except (ValueError, KeyError, TypeError, AttributeError, OSError) as err:
        raise InputError(f"{path}: not a valid manifest ({err})") from None
    return manifest


def read_config(folder: Path, name: str = CONFIG) -> dict:
    """A JSON config of a bundle (intl_config.json, genai-*/genai_config.json), parsed.

    Raises:
        InputError: naming the file when it is missing or not a JSON object.
    """
    path = folder / name
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: missing; export the bundle again") from None
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise InputError(f"{path}: not readable JSON ({err}); export the bundle again") from None
    if not isinstance(document, dict):
        raise InputError(f"{path}: expected a JSON object; export the bundle again")
    return document


def verify_files(folder: Path, manifest: dict) -> list[str]:
    """Re-hash every listed file; one message per missing, truncated or altered file."""
    problems = []
    sizes = manifest.get("bytes", {})
    for name, expected in sorted(manifest["files"].items()):
        path = folder / name
        if path.is_symlink() or not path.is_file():
            problems.append(f"{path}: missing (manifest expects sha256 {expected})")
        elif name in sizes and path.stat().st_size != sizes[name]:
            problems.append(
                f"{path}: {path.stat().st_size} bytes, manifest expects {sizes[name]} "
                "(truncated or altered)"
            )
        elif (actual := sha256_file(path)) != expected:
            problems.append(f"{path}: sha256 {actual} does not match manifest {expected}")
    return problems


def verify_bundle(folder: Path) -> list[str]:
    """Every problem of a bundle folder: hash mismatches and files the manifest does not list."""
    manifest = read_manifest(folder)
    files = manifest["files"]
    problems = verify_files(folder, manifest)
    listed = set(files) | {MANIFEST}
    problems += [
        f"{folder / name}: not listed in the manifest (a bundle holds only what its manifest names)"
        for name in bundle_files(folder)
        if name not in listed
    ]
    return problems


def require_valid(folder: Path) -> None:
    """Raise InputError listing every problem of the bundle, if any."""
    problems = verify_bundle(folder)
    if problems:
        raise InputError("bundle failed verification:\n  " + "\n  ".join(problems))


def check_external_data(onnx_path: Path, root: Path) -> None:
    """Refuse an ONNX file whose external data lies outside `root` (checked without loading it).

    Raises:
        InputError: naming the ONNX file and the offending location.
    """
    import onnx
    from onnx.external_data_helper import ExternalDataInfo

    root = root.resolve()
    try:
        model = onnx.load(str(onnx_path), load_external_data=False)
    except Exception as err:  # noqa: BLE001 - any parse failure is a bad file
        raise InputError(f"{onnx_path}: not a readable ONNX model ({err})") from None
    for tensor in _graph_tensors(model.graph):
        if tensor.data_location != onnx.TensorProto.EXTERNAL:
            continue
        location = ExternalDataInfo(tensor).location
        target = (onnx_path.parent / location).resolve()
        if (
            not location
            or os.path.isabs(location)
            or not target.is_relative_to(root)
            or not target.is_file()
        ):
            raise InputError(
                f"{onnx_path}: tensor {tensor.name!r} keeps its data in {location!r}, "
                f"which is not a file inside the bundle {root}; refusing to load it"
            )


def _graph_tensors(graph):
    # Initialisers and constant attributes, in subgraphs too (If/Loop bodies).
    yield from graph.initializer
    yield from (sparse.values for sparse in graph.sparse_initializer)
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.HasField("t"):
                yield attribute.t
            yield from attribute.tensors
            for subgraph in (
                [attribute.g, *attribute.graphs] if attribute.HasField("g") else attribute.graphs
            ):
                yield from _graph_tensors(subgraph)


def _member_problem(member: tarfile.TarInfo) -> str | None:
    name = member.name
    normal = posixpath.normpath(name)
    if name.startswith(("/", "\\")) or os.path.isabs(name) or (len(name) > 1 and name[1] == ":"):
        return "has an absolute path"
    if normal == ".." or normal.startswith("../") or "\x00" in name:
        return "lies outside the target folder"
    if member.issym() or member.islnk():
        target = posixpath.normpath(posixpath.join(posixpath.dirname(normal), member.linkname))
        if member.linkname.startswith("/") or target == ".." or target.startswith("../"):
            return f"is a link leading outside the target ({member.linkname!r})"
        return f"is a link ({member.linkname!r}); bundles hold only regular files"
    if not (member.isfile() or member.isdir()):
        return "is a device, FIFO or other special file"
    return None


def extract_tar(tar_path: Path, target: Path) -> Path:
    """Safely extract a bundle tar into the new folder `target` and verify its manifest.

    Every member is checked first (no absolute paths, no `..`, no links, no device
    files) and extraction uses tarfile's `data` filter as a second guard; an
    interpreter without that filter is refused. The tar is unpacked next to
    `target` and renamed into place only once verified, so a bad tar leaves nothing.
    """
    if not hasattr(tarfile, "data_filter"):
        raise InputError(
            "this Python has no tarfile 'data' extraction filter (3.11.4+); refusing to "
            f"extract {tar_path}: use a bundle folder instead"
        )
    if target.exists():
        raise InputError(f"{target}: already exists; choose a new folder to extract into")
    try:
        archive = tarfile.open(tar_path)
    except (OSError, tarfile.TarError) as err:
        raise InputError(f"{tar_path}: not a readable tar file ({err})") from None
    with archive:
        try:
            members = archive.getmembers()
        except (OSError, EOFError, tarfile.TarError) as err:
            raise InputError(f"{tar_path}: truncated or damaged tar ({err})") from None
        for member in members:
            if problem := _member_problem(member):
                raise InputError(f"{tar_path}: member {member.name!r} {problem}; refusing it")
        _check_extract_size(tar_path, members, target.parent)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = temp_dir(target.parent, f".{target.name}.")
        try:
            archive.extractall(staging, members=members, filter="data")
            require_valid(staging)
            os.replace(staging, target)
        except (OSError, EOFError, tarfile.TarError) as err:
            raise InputError(f"{tar_path}: truncated or damaged tar ({err})") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _check_extract_size(tar_path: Path, members: list[tarfile.TarInfo], parent: Path) -> None:
    # Before anything is written: a tar bomb or a damaged header must not fill the disk.
    total = sum(m.size for m in members if m.isfile())
    if len(members) > MAX_TAR_MEMBERS:
        raise InputError(f"{tar_path}: {len(members):,} members; a bundle has at most "
                         f"{MAX_TAR_MEMBERS:,}")
    if total > MAX_TAR_BYTES:
        raise InputError(f"{tar_path}: {total:,} bytes once extracted; a bundle has at most "
                         f"{MAX_TAR_BYTES:,}")
    existing = next(p for p in (parent, *parent.parents) if p.exists())
    if total > (free := shutil.disk_usage(existing).free):
        raise InputError(f"{tar_path}: needs {total:,} bytes to extract, {existing} has "
                         f"{free:,} free")


def write_tar(folder: Path, tar_path: Path) -> None:
    """Write the bundle folder's files (paths relative to it) as an uncompressed tar, atomically."""

    def add_files(tmp: Path) -> None:
        with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as archive:
            for name in [*bundle_files(folder), MANIFEST]:
                archive.add(folder / name, arcname=name, recursive=False)

    write_with(tar_path, add_files)


def open_bundle(path: Path, workdir: Path) -> Path:
    """A verified bundle folder: `path` itself, or the tar `path` extracted under `workdir`."""
    if path.is_dir():
        require_valid(path)
        return path
    if path.is_file():
        return extract_tar(path, workdir / "bundle")
    raise InputError(f"{path}: no such bundle folder or tar file")
