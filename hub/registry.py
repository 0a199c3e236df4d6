"""The model registry: immutable, hash-verified model versions under the hub home.

Layout (this module is the only one that knows it)::

    {home}/{region}/v{N}/config.json            model config, tokenizer info, training metadata
    {home}/{region}/v{N}/tokenizer.json         the region's tokenizer, copied
    {home}/{region}/v{N}/model.safetensors      weights (never pickle)
    {home}/{region}/v{N}/training_curve.parquet loss and per-language valid bits per byte
    {home}/{region}/v{N}/manifest.json          sha256 of every file, the content hash
    {home}/catalog.parquet                      one row per version

`config.json` holds `{"region", "model": ModelConfig.to_dict(), "tokenizer": {...},
"languages": [...], "training": {"size", "params", "steps", "tokens", "train_flops",
"train_seconds", "device", "seed", "corpus_sha256", ...}}`, read typed as
`hub.registry_config.VersionConfig`; `manifest.json` is `hub.manifest`'s (bundles' too).

Rules:
- A version is registered atomically: written into a hidden temporary folder, then
  renamed to `v{N}`. Registering content identical to an existing version (same
  weights, tokenizer and model config) returns that version instead of a new one.
- The training files of a version never change. Derived artefacts (ONNX exports,
  metrics, the model card) are added with `attach`, which writes the file atomically
  and records its hash in the manifest; they may be replaced by a newer derivation,
  but never under the name of a training file.
- Every load verifies every file's sha256 first and names each file that differs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from hub import manifest
from hub.home import hub_home
from hub.metrics import now_iso
from hub.model_config import ModelConfig
from hub.names import check_name
from hub.registry_catalog import catalog_differences, write_catalog
from hub.registry_config import VersionConfig
from plumbing.atomic import fsync_path, refused_writes_reported, sha256_file, temp_file
from plumbing.errors import InputError
from plumbing.locks import exclusive
from plumbing.staging import publish, staging_folder

CONFIG, TOKENIZER, WEIGHTS, CURVE = (
    "config.json",
    "tokenizer.json",
    "model.safetensors",
    "training_curve.parquet",
)
MANIFEST = manifest.MANIFEST
TRAINING_FILES = (CONFIG, TOKENIZER, WEIGHTS, CURVE)
VERSION_PATTERN = re.compile(r"v([1-9][0-9]*)")
REMOVING = ".removing-"  # a version being deleted: renamed aside first, see `remove`
DAMAGED = "`hub verify` lists what is damaged"

@dataclass(frozen=True)
class ModelVersion:
    """One registered model version (a folder under the hub home)."""

    home: Path
    region: str
    version: int

    @property
    def path(self) -> Path:
        """The version's folder."""
        return self.home / self.region / f"v{self.version}"

    @property
    def model_id(self) -> str:
        """Stable identifier used in metrics and profiles, e.g. `eu/v3`."""
        return f"{self.region}/v{self.version}"

    def file(self, name: str) -> Path:
        """Path of a file of this version."""
        return self.path / name

    def config(self) -> VersionConfig:
        """The typed config.json; InputError naming it and the field when damaged."""
        return VersionConfig.read(self.file(CONFIG), DAMAGED)

    def manifest(self) -> dict:
        """The parsed manifest.json; InputError naming it when damaged."""
        return manifest.read_manifest(self.path, DAMAGED)


def register(
    home: str | os.PathLike | None,
    region: str,
    config: dict,
    tensors: Mapping[str, object],
    tokenizer_path: str | os.PathLike,
    files: Mapping[str, str | os.PathLike] | None = None,
) -> ModelVersion:
    """Register a trained model as a new immutable version (or return an identical one).

    Args:
        home: Hub home (None: $HUB_HOME or ./models).
        region: Region name (checked with `check_name`).
        config: JSON-able dict with at least "model" (ModelConfig.to_dict()) and
            "training" (metadata; "size" and "params" go to the catalog).
        tensors: Weights by name (a state dict), saved as model.safetensors.
        tokenizer_path: The tokenizer.json to copy into the version.
        files: Further training files to copy by name, e.g. {"training_curve.parquet": path}.

    Returns:
        The new version, or the existing one with the same content hash.

    Raises:
        WriteFailure: the disk is full or the home read-only (exit 1); the staging folder
            is removed and nothing is registered.
    """
    home, region = hub_home(home), check_name("region", region)
    full_config = {"region": region, **config}
    VersionConfig.from_dict(full_config, "config", "pass ModelConfig.to_dict() as `model`")
    region_dir = home / region
    made_region = not region_dir.exists()
    try:
        return _register(home, region, region_dir, full_config, config, tensors,
                         tokenizer_path, files)
    except BaseException:
        if made_region:  # a first version that could not be written leaves no empty folder
            with suppress(OSError):
                region_dir.rmdir()
        raise


def _register(home: Path, region: str, region_dir: Path, full_config: dict, config: dict,
              tensors: Mapping[str, object], tokenizer_path: str | os.PathLike,
              files: Mapping[str, str | os.PathLike] | None) -> ModelVersion:
    from safetensors.torch import save_file

    with staging_folder(region_dir) as staging:
        save_file({k: v.contiguous() for k, v in tensors.items()}, staging / WEIGHTS)
        shutil.copyfile(tokenizer_path, staging / TOKENIZER)
        for name, source in (files or {}).items():
            shutil.copyfile(source, staging / check_name("file", name))
        (staging / CONFIG).write_text(json.dumps(full_config, indent=2, sort_keys=True) + "\n")
        content_hash = _content_hash(staging, config["model"])
        with _locked(home):
            finish_removals(home)
            for existing in versions(home, region):
                if _manifest_or_none(existing).get("content_hash") == content_hash:
                    return existing
            number = max((v.version for v in versions(home, region)), default=0) + 1
            manifest.write_manifest(staging, content_hash=content_hash,
                                    created_at=now_iso(), derived=[])
            publish(staging, region_dir / f"v{number}")
            _write_catalog(home)
    return ModelVersion(home, region, number)


def resolve(
    home: str | os.PathLike | None, region: str, version: int | str | None = None
) -> ModelVersion:
    """Find a version: the latest when `version` is None or "latest"; else N, "N" or "vN".

    Raises:
        InputError: naming the region or version asked for and listing what exists.
    """
    home, region = hub_home(home), check_name("region", region)
    found = versions(home, region)
    if not found:
        regions = sorted({v.region for v in all_versions(home)})
        raise InputError(
            f"no model registered for region {region!r} in {home} "
            f"(regions with models: {', '.join(regions) or 'none'}); "
            f"make one with `hub train --region {region}`"
        )
    if version is None or version == "latest":
        return found[-1]
    text = str(version)
    number = int(text[1:]) if VERSION_PATTERN.fullmatch(text) else None
    if number is None and text.isdigit():
        number = int(text)
    for candidate in found:
        if candidate.version == number:
            return candidate
    names = ", ".join(f"v{v.version}" for v in found)
    raise InputError(f"region {region!r} has no version {version!r} in {home}; it has {names}")


def versions(home: str | os.PathLike | None, region: str) -> list[ModelVersion]:
    """Complete versions of a region, oldest first (staging folders are skipped)."""
    home = hub_home(home)
    region_dir = home / region
    if not region_dir.is_dir():
        return []
    found = [
        ModelVersion(home, region, int(match.group(1)))
        for entry in region_dir.iterdir()
        if (match := VERSION_PATTERN.fullmatch(entry.name)) and (entry / MANIFEST).is_file()
    ]
    return sorted(found, key=lambda v: v.version)


def all_versions(home: str | os.PathLike | None) -> list[ModelVersion]:
    """Every complete version under the home, by region then version."""
    home = hub_home(home)
    if not home.is_dir():
        return []
    regions = sorted(
        p.name for p in home.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))
    )
    return [v for region in regions for v in versions(home, region)]


def verify(version: ModelVersion) -> list[str]:
    """Problems with a version's files: each one missing, changed or unlisted, by name.

    A manifest entry that is not a plain name inside the version (`..`, absolute, through a
    link) is a problem itself: nothing outside the version is read, not even its size.
    """
    try:
        found = version.manifest()
    except InputError as error:
        return [error.message]
    return manifest.problems(version.path, found, "version")


def check(version: ModelVersion) -> ModelVersion:
    """Verify a version and raise InputError listing every problem; returns it when sound."""
    problems = verify(version)
    if problems:
        raise InputError(
            f"model {version.model_id} failed its hash check:\n  " + "\n  ".join(problems)
        )
    return version


def load_model(version: ModelVersion, device: str = "cpu"):
    """Load (DecoderLM in eval mode, ModelConfig, tokenizers.Tokenizer), hashes verified first."""
    from safetensors.torch import load_file
    from tokenizers import Tokenizer

    from hub.model import DecoderLM

    check(version)
    model_config = ModelConfig.from_dict(version.config().model)
    model = DecoderLM(model_config)
    model.load_state_dict(load_file(version.file(WEIGHTS), device="cpu"), strict=True)
    tokenizer = Tokenizer.from_file(str(version.file(TOKENIZER)))
    return model.to(device).eval(), model_config, tokenizer


def attach(version: ModelVersion, name: str, writer: Callable[[Path], None]) -> Path:
    """Add (or replace) a derived file, e.g. genai-fp32/model.onnx, written by `writer(tmp_path)`.

    `name` may name one subfolder level (`folder/file`, each part a plain name). The file is
    written atomically, then its hash is recorded in the manifest. Training files and the
    manifest itself can never be replaced.
    """
    parts = name.split("/")
    if len(parts) > 2:
        raise InputError(f"{name}: derived files lie at most one folder deep")
    for part in parts:
        check_name("file", part)
    if name in TRAINING_FILES or name == MANIFEST:
        raise InputError(f"{name} is a training file of {version.model_id}; versions are immutable")
    with _locked(version.home):
        if not version.file(MANIFEST).is_file():
            raise InputError(f"{version.path} is not a registered version")
        target = version.file(name)
        target.parent.mkdir(exist_ok=True)
        for stale in target.parent.glob(".*.tmp"):  # a killed attach's; we hold the lock
            stale.unlink()
        tmp = temp_file(target.parent, parts[-1])
        try:
            with refused_writes_reported(target):  # named by the file, not the home
                writer(tmp)
                fsync_path(tmp)
            listed = version.manifest()
            manifest.record(listed, name, tmp)
            listed["derived"] = sorted({*listed.get("derived", []), name})
            os.replace(tmp, target)
            manifest.save(version.path, listed)
        finally:
            tmp.unlink(missing_ok=True)
    return target


def remove(home: str | os.PathLike | None, region: str, version: int | str) -> None:
    """Delete a version: renamed aside, dropped from the catalog, then deleted.

    Names and the version are checked before anything changes. The rename is the commit
    point: a removal killed after it is completed by the next `remove`, `register` or
    `hub verify` (`finish_removals`); one killed before it changed nothing.
    """
    found = resolve(home, region, version)
    with _locked(found.home):
        finish_removals(found.home)
        doomed = found.path.with_name(f"{REMOVING}v{found.version}")
        os.rename(found.path, doomed)
        fsync_path(doomed.parent)
        _write_catalog(found.home)
        shutil.rmtree(doomed)


def finish_removals(home: Path) -> list[str]:
    """Complete removals a killed `remove` left half done; the model ids it completed."""
    done = []
    for doomed in sorted(Path(home).glob(f"*/{REMOVING}v*")):
        shutil.rmtree(doomed, ignore_errors=True)
        done.append(f"{doomed.parent.name}/{doomed.name.removeprefix(REMOVING)}")
    if done:
        _write_catalog(Path(home))
    return done


def catalog_problems(home: str | os.PathLike | None) -> list[str]:
    """What is wrong with the catalog (damaged, or not listing the versions); [] when sound."""
    return catalog_differences(hub_home(home), [v.model_id for v in all_versions(home)])


def rebuild_catalog(home: str | os.PathLike | None) -> None:
    """Write the catalog again from the versions on disk (it is derived from them)."""
    with _locked(hub_home(home)):
        _write_catalog(hub_home(home))


def _manifest_or_none(version: ModelVersion) -> dict:
    try:
        return version.manifest()
    except InputError:
        return {}


def _write_catalog(home: Path) -> None:
    rows = []
    for version in all_versions(home):
        # A damaged version is still listed (without what cannot be read); `hub verify`
        # names it.
        try:
            config = version.config()
        except InputError:
            config = None
        listed = _manifest_or_none(version)
        training = config.training if config else {}
        rows.append(
            {
                "region": version.region,
                "version": version.version,
                "model_id": version.model_id,
                "size": training.get("size"),
                "params": training.get("params"),
                "languages": list(config.languages) if config else [],
                "created_at": listed.get("created_at"),
                "content_hash": listed.get("content_hash"),
                "path": str(version.path),
            }
        )
    write_catalog(home, rows)


def _content_hash(folder: Path, model_config: dict) -> str:
    # Identity of a model: what it computes (weights, tokenizer, architecture), not when or
    # how fast it was trained, so the same deterministic run registers once.
    digest = hashlib.sha256()
    digest.update(json.dumps(model_config, sort_keys=True).encode())
    for name in (WEIGHTS, TOKENIZER):
        digest.update(sha256_file(folder / name).encode())
    return digest.hexdigest()


@contextmanager
def _locked(home: Path) -> Iterator[None]:
    # One writer at a time per home: version numbers and the catalog are shared state.
    # Writers queue (registering takes seconds) rather than refuse each other.
    # A full or read-only disk under any write of the block: exit 1, naming the home.
    with refused_writes_reported(home):
        home.mkdir(parents=True, exist_ok=True)
        with exclusive(home, "hub registry writer", wait=True):
            yield
