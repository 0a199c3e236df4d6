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

The manifest is `hub.manifest`'s, as a registry version's: entries are relative POSIX
paths inside the bundle. Nothing in a bundle is used
before its manifest is checked, and an ONNX file whose external data points outside the
bundle is refused before any onnxruntime session sees it.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import tarfile
from pathlib import Path

from hub import manifest
from hub.registry_config import VersionConfig
from plumbing.atomic import temp_dir, write_with
from plumbing.checked_files import read_json
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
MANIFEST = manifest.MANIFEST
EXPORT_AGAIN = "export the bundle again"
# Extraction limits, checked before a byte is written. A bundle is about 30 files (HF folder
# plus three genai folders); the largest the hub builds (size base: ~30M parameters, every
# precision) is well under 1 GB, and ONNX keeps single files under 2 GB.
MAX_TAR_MEMBERS = 1_000
MAX_TAR_BYTES = 16 * 2**30


def read_manifest(folder: Path) -> dict:
    """A bundle's parsed manifest; InputError if it is missing or malformed.

    An entry naming a file outside the bundle is refused before anything is read.
    """
    found = manifest.read_manifest(folder, EXPORT_AGAIN)
    if outside := manifest.entries_outside(folder, found, "bundle"):
        raise InputError(outside[0])
    return found


def read_config(folder: Path, name: str) -> dict:
    """A JSON config of a bundle (genai-*/genai_config.json), parsed.

    Raises:
        InputError: naming the file when it is missing or not a JSON object.
    """
    try:
        return read_json(folder / name, "config")
    except InputError as error:
        raise InputError(f"{error.message}; {EXPORT_AGAIN}") from None


def read_product_config(folder: Path) -> VersionConfig:
    """The product's config of a bundle (intl_config.json), typed like a registry version's."""
    return VersionConfig.read(folder / CONFIG, EXPORT_AGAIN)


def verify_bundle(folder: Path) -> list[str]:
    """Every problem of a bundle folder: hash mismatches and files the manifest does not list."""
    return manifest.problems(folder, read_manifest(folder), "bundle")


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
            for name in [*manifest.listed_files(folder), MANIFEST]:
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
