"""Training checkpoints: complete or absent, hash-verified, and free of pickle.

A checkpoint is a folder `{home}/_checkpoints/{region}/step-{N:08d}/` holding
`model.safetensors` (weights), `optimizer.safetensors` (AdamW moments and step
counts), `rng.safetensors` (torch RNG states, which are uint8 tensors), `state.json`
(step, sampler position, optimizer hyper-parameters, training curve, run identity)
and `manifest.json` (sha256 of the four). It is written into a hidden staging
folder and renamed into place, so a kill at any moment leaves either the whole
checkpoint or none. On resume the newest checkpoint whose hashes match is used;
a damaged one is reported and the one before it is tried.
"""

from __future__ import annotations

import json
import re
import shutil
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from plumbing.atomic import sha256_file
from plumbing.locks import exclusive
from plumbing.staging import publish, staging_folder

CHECKPOINTS_DIR = "_checkpoints"
STEP_PATTERN = re.compile(r"step-([0-9]{8})")
FILES = ("model.safetensors", "optimizer.safetensors", "rng.safetensors", "state.json")
KEEP = 2  # the newest two, so a damaged newest one still leaves a good one to resume from


@dataclass
class Checkpoint:
    """Everything a training run needs to continue exactly where it stopped."""

    step: int
    model: dict[str, torch.Tensor]
    optimizer: dict
    rng: dict[str, torch.Tensor]
    state: dict


def checkpoint_root(home: Path, region: str) -> Path:
    """Folder of a region's checkpoints."""
    return Path(home) / CHECKPOINTS_DIR / region


def save_checkpoint(root: Path, checkpoint: Checkpoint, keep: int = KEEP) -> Path:
    """Write a checkpoint atomically and drop all but the newest `keep`."""
    with staging_folder(root) as staging:
        tensors, scalars = _flatten_optimizer(checkpoint.optimizer)
        save_file({k: v.contiguous() for k, v in checkpoint.model.items()}, staging / FILES[0])
        save_file(tensors, staging / FILES[1])
        save_file(checkpoint.rng, staging / FILES[2])
        state = {**checkpoint.state, "step": checkpoint.step, "optimizer": scalars}
        (staging / FILES[3]).write_text(json.dumps(state, sort_keys=True))
        manifest = {name: sha256_file(staging / name) for name in FILES}
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1))
        final = root / f"step-{checkpoint.step:08d}"
        if final.exists():  # the same step again (a resumed run re-saving): replace it
            shutil.rmtree(final)
        publish(staging, final)
    for old in checkpoint_folders(root)[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def checkpoint_folders(root: Path) -> list[Path]:
    """Complete-looking checkpoint folders, oldest first."""
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if STEP_PATTERN.fullmatch(p.name)]
    return sorted(found, key=lambda p: p.name)


def verify_checkpoint(folder: Path) -> list[str]:
    """Problems with a checkpoint folder: unreadable manifest, missing or changed files."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError) as error:
        return [f"{folder / 'manifest.json'}: unreadable ({error})"]
    problems = []
    for name in FILES:
        path = folder / name
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif sha256_file(path) != manifest.get(name):
            problems.append(f"{path}: sha256 differs from the manifest")
    return problems


def load_latest(root: Path, warn: Callable[[str], None] | None = None) -> Checkpoint | None:
    """The newest sound checkpoint, or None; each damaged newer one is reported via `warn`."""
    warn = warn or (lambda message: warnings.warn(message, stacklevel=2))
    for folder in reversed(checkpoint_folders(root)):
        problems = verify_checkpoint(folder)
        if problems:
            warn(f"skipping damaged checkpoint {folder.name}: " + "; ".join(problems))
            continue
        state = json.loads((folder / FILES[3]).read_text())
        optimizer = _unflatten_optimizer(load_file(folder / FILES[1]), state.pop("optimizer"))
        return Checkpoint(
            step=state.pop("step"),
            model=load_file(folder / FILES[0]),
            optimizer=optimizer,
            rng=load_file(folder / FILES[2]),
            state=state,
        )
    return None


def unfinished_run(root: Path) -> tuple[int, int | None] | None:
    """(step, total steps) of the newest checkpoint if its run stopped before its last step.

    A finished run's checkpoints hold what its registered version holds, so only these are
    worth keeping from a fresh run. An unreadable state counts as unfinished (total None):
    an older checkpoint may still resume it.
    """
    folders = checkpoint_folders(root)
    if not folders:
        return None
    newest = folders[-1]
    step = int(STEP_PATTERN.fullmatch(newest.name).group(1))
    try:
        total = int(json.loads((newest / FILES[3]).read_text())["identity"]["settings"]["steps"])
    except (OSError, ValueError, KeyError, TypeError):
        return step, None
    return (step, total) if step < total else None


def clear_checkpoints(root: Path) -> int:
    """Remove a region's checkpoints (a fresh run); returns how many there were."""
    folders = checkpoint_folders(root)
    for folder in folders:
        shutil.rmtree(folder)
    return len(folders)


@contextmanager
def exclusive_run(root: Path) -> Iterator[None]:
    """Hold the region's training lock; a second concurrent run is refused, not interleaved."""
    root.mkdir(parents=True, exist_ok=True)
    with exclusive(root, "`hub train`"):
        yield


def rng_states(device: torch.device) -> dict[str, torch.Tensor]:
    """Torch RNG states to checkpoint (CPU, and the CUDA device's when training there)."""
    states = {"cpu": torch.get_rng_state()}
    if device.type == "cuda":
        states["cuda"] = torch.cuda.get_rng_state(device)
    return states


def restore_rng(states: dict[str, torch.Tensor], device: torch.device) -> None:
    """Put back the states saved by `rng_states`."""
    torch.set_rng_state(states["cpu"])
    if device.type == "cuda" and "cuda" in states:
        torch.cuda.set_rng_state(states["cuda"], device)


def _flatten_optimizer(state_dict: dict) -> tuple[dict[str, torch.Tensor], dict]:
    # Tensors (moments, step counts) go to safetensors; hyper-parameters to JSON.
    tensors, scalars = {}, {"param_groups": state_dict["param_groups"], "state": {}}
    for index, per_param in state_dict["state"].items():
        for key, value in per_param.items():
            if isinstance(value, torch.Tensor):
                tensors[f"{index}.{key}"] = value.detach().cpu().contiguous()
            else:
                scalars["state"].setdefault(str(index), {})[key] = value
    return tensors, scalars


def _unflatten_optimizer(tensors: dict[str, torch.Tensor], scalars: dict) -> dict:
    state: dict[int, dict] = {}
    for name, tensor in tensors.items():
        index, key = name.split(".", 1)
        state.setdefault(int(index), {})[key] = tensor
    for index, values in scalars["state"].items():
        state.setdefault(int(index), {}).update(values)
    return {"state": state, "param_groups": scalars["param_groups"]}
