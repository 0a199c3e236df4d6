"""What `hub eval` and `hub bench` measure: a registered version or an export bundle.

A target is a verified folder holding `model.onnx` (and `model.int8.onnx`),
`tokenizer.json` and `config.json`, plus where its measurements go. A registry version
(`--region R`) also has its PyTorch weights; a bundle (`--bundle DIR`) is matched to
the registry version it was exported from by the sha256 of its `model.onnx`, so its
figures land in that version's `metrics.parquet` too; a bundle whose tokenizer is not that
version's is refused (its figures would be another model's).

Measurements are merged into `metrics.parquet`: a new row replaces an old one with the
same model, language, metric, precision and device; every other row is kept.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
from click import ClickException

from hub import manifest, registry
from hub.home import hub_home
from hub.metrics import Metric, metrics_table, upgrade_metrics
from hub.names import check_name
from hub.registry_config import VersionConfig
from hub.serving import bundle
from hub.serving.runtime import model_folder
from plumbing.atomic import write_parquet
from plumbing.errors import InputError
from plumbing.fingerprint import changes

METRIC_KEY = ("model_id", "lang", "metric", "precision", "device")
SERVING_TOKENIZER = f"genai-fp32/{bundle.TOKENIZER}"  # what export attaches to the version


@dataclass(frozen=True)
class Target:
    """A model to measure.

    Attributes:
        folder: Verified folder with the ONNX models, tokenizer.json and config.json.
        config: The typed config.json (region, model shape, languages, training facts).
        model_id: `region/vN`, or `region/bundle` for a bundle the registry does not know.
        version: The registry version (PyTorch weights, metrics destination), if known.
        bundle_folder: The bundle folder to write metrics into (None for a registry
            target or a bundle extracted from a tar into a temporary folder).
    """

    folder: Path
    config: VersionConfig
    model_id: str
    version: registry.ModelVersion | None
    bundle_folder: Path | None

    @property
    def region(self) -> str:
        """The region the model was trained for."""
        return self.config.region

    @property
    def languages(self) -> list[str]:
        """The model's corpus languages."""
        return list(self.config.languages)


def open_target(
    home, region: str | None, version: str | None, bundle_path: str | None, workdir: Path
) -> Target:
    """Resolve `--region R [--model-version N]` or `--bundle DIR|TAR` into a verified Target.

    Raises:
        InputError: both or neither given, an unknown region or version, a bundle that
            fails verification, or a version that was never exported.
    """
    folder = model_folder(workdir, bundle_path, home, region, version)
    if bundle_path is not None:
        path = Path(bundle_path)
        config = bundle.read_product_config(folder)
        found = _registered_twin(home, config.region, folder)
        model_id = found.model_id if found else f"{config.region}/bundle"
        return Target(folder, config, model_id, found, folder if path.is_dir() else None)
    found = registry.check(registry.resolve(home, region, version))
    if not found.file(bundle.MODEL_FP32).is_file():
        raise InputError(
            f"{found.model_id} has no {bundle.MODEL_FP32}: run `hub export --region {region}` first"
        )
    return Target(found.path, found.config(), found.model_id, found, None)


def _registered_twin(home, region: str | None, folder: Path) -> registry.ModelVersion | None:
    # The version this bundle was exported from: the same model.onnx bytes.
    if not region:
        return None
    try:
        candidates = registry.versions(home, check_name("region", region))
    except InputError:
        return None
    files = bundle.read_manifest(folder)["files"]
    for candidate in reversed(candidates):
        theirs = candidate.manifest()["files"]
        if theirs.get(bundle.MODEL_FP32) != files.get(bundle.MODEL_FP32):
            continue
        # Figures measure graph and tokenizer together: the version's serving tokenizer
        # (attached at export) must be the bundle's, or its figures are another model's.
        differ = changes({bundle.TOKENIZER: theirs.get(SERVING_TOKENIZER)},
                         {bundle.TOKENIZER: files.get(bundle.TOKENIZER)})
        if differ:
            raise InputError(
                f"{folder}: its {bundle.MODEL_FP32} is {candidate.model_id}'s but its "
                f"tokenizer is not ({differ[0]}); its figures are not written into "
                f"{candidate.model_id}: export the bundle again (`hub export --region "
                f"{candidate.region}`) or measure an unchanged one")
        return candidate
    return None


def merge_metrics(
    existing: pa.Table | None, new_rows: list[Metric], source: str = "metrics.parquet"
) -> pa.Table:
    """Existing rows minus those the new rows replace, then the new rows (METRICS_SCHEMA).

    Existing rows of an older file get the columns added since as null (`upgrade_metrics`).
    """
    new = metrics_table(new_rows)
    if existing is None or existing.num_rows == 0:
        return new
    existing = upgrade_metrics(existing, source)
    replaced = {tuple(row[k] for k in METRIC_KEY) for row in new.select(METRIC_KEY).to_pylist()}
    keep = [
        tuple(row[k] for k in METRIC_KEY) not in replaced
        for row in existing.select(METRIC_KEY).to_pylist()
    ]
    return pa.concat_tables([existing.filter(pa.array(keep, pa.bool_())), new])


def _read_metrics(path: Path) -> pa.Table | None:
    import pyarrow.parquet as pq

    if not path.is_file():
        return None
    try:
        return pq.read_table(path)
    except Exception as error:  # noqa: BLE001 - pyarrow raises several types
        raise InputError(f"{path}: unreadable metrics file ({error})") from None


def save_metrics(target: Target, rows: list[Metric]) -> list[Path]:
    """Merge `rows` into the registry version's and the bundle's metrics.parquet.

    The registry copy goes through `registry.attach` (atomic, hash recorded); in a
    bundle folder the file is replaced atomically and the bundle manifest rewritten.

    Returns:
        The files written (empty when the target is a bundle tar the registry lacks).
    """
    written = []
    if target.version is not None:
        path = target.version.file(bundle.METRICS)
        merged = merge_metrics(_read_metrics(path), rows, str(path))
        written.append(
            registry.attach(target.version, bundle.METRICS, lambda tmp: write_parquet(merged, tmp))
        )
    if target.bundle_folder is not None:
        path = target.bundle_folder / bundle.METRICS
        write_parquet(merge_metrics(_read_metrics(path), rows, str(path)), path)
        manifest.write_manifest(target.bundle_folder)
        written.append(path)
    return written


class Interrupted(ClickException):
    """Ctrl-C during a measurement: exit 130 (128 + SIGINT), as shells report it."""

    exit_code = 130


class StepProgress:
    """A measurement's progress on a rich progress bar: a phase's name and its steps done.

    Implements `hub.measurement.evaluate.Progress`; `step(message)` alone (as `hub bench`
    calls it) names a phase without a count.
    """

    def __init__(self, progress, task, prefix: str) -> None:
        self._progress, self._task, self._prefix = progress, task, prefix

    def __call__(self, message: str, total: int | None = None) -> None:
        """Start the phase `message` of `total` steps (None: not counted)."""
        self._progress.update(
            self._task, description=f"{self._prefix}: {message}", total=total, completed=0
        )

    def advance(self) -> None:
        """One step of the phase done."""
        self._progress.advance(self._task)


@contextmanager
def _interrupt_deferred():
    # Ctrl-C while the metrics files are written waits until both are whole; the list says
    # whether one came. Only the main thread can take over SIGINT.
    caught: list[bool] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return
    previous = signal.signal(signal.SIGINT, lambda *_: caught.append(True))
    try:
        yield caught
    finally:
        signal.signal(signal.SIGINT, previous)


def measure_and_save(home, region, version, bundle_path, console, measure):
    """Open the target, run `measure(target, home, step)` under a progress bar, save its rows.

    `measure` returns (Metric rows, anything); `step` is a StepProgress. Ctrl-C stops the
    measurement with nothing saved; once saving has begun, it finishes first.

    Returns:
        (target, rows, what `measure` returned second, files written).

    Raises:
        Interrupted: Ctrl-C (exit 130).
    """
    import tempfile

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )


    try:
        with tempfile.TemporaryDirectory(prefix="hub-measure-") as workdir:
            target = open_target(home, region, version, bundle_path, Path(workdir))
            columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                       MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("[dim]Ctrl-C stops"))
            with Progress(*columns, transient=True, console=console) as progress:
                task = progress.add_task(f"{target.model_id}: loading", total=None)
                steps = StepProgress(progress, task, target.model_id)
                rows, extra = measure(target, hub_home(home), steps)
            with _interrupt_deferred() as caught:
                written = save_metrics(target, rows)
    except KeyboardInterrupt:
        raise Interrupted("interrupted: nothing saved, every metrics file as it was") from None
    if caught:
        raise Interrupted(f"interrupted after saving {', '.join(map(str, written))} whole")
    return target, rows, extra, written
