import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from train_home import build_template

from hub import registry
from hub.training.checkpoint import checkpoint_root, exclusive_run
from hub.training.train import TrainSettings, train, weights_sha256


def torchrun_train(home: Path, timeout: int) -> subprocess.CompletedProcess:
    """`hub train` of eu at the tiny size in two CPU processes under torchrun."""
    hub = Path(sys.executable).parent / "hub"
    command = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
        "--no-python", str(hub),
        "train", "--region", "eu", "--size", "tiny", "--steps", "3", "--batch-size", "4",
        "--home", str(home),
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow  # two torchrun processes, each importing torch and tokenizing
def test_two_cpu_processes_end_with_the_same_weights(tmp_path):
    home = build_template(tmp_path / "ddp")
    done = torchrun_train(home, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    hashes = dict(re.findall(r"rank (\d): weights sha256 ([0-9a-f]{64})", done.stdout))
    assert set(hashes) == {"0", "1"}
    assert hashes["0"] == hashes["1"]
    model, _, _ = registry.load_model(registry.resolve(home, "eu"))
    assert weights_sha256(model) == hashes["0"]
    assert registry.resolve(home, "eu").config()["training"]["world_size"] == 2

    # One process on the same global batch (2 x 4 sequences) computes the same update,
    # up to the order of floating-point sums.
    single = build_template(tmp_path / "single")
    settings = TrainSettings(size="tiny", steps=3, batch_size=8, threads=1)
    train(single, "eu", settings, log=lambda message: None)
    alone, _, _ = registry.load_model(registry.resolve(single, "eu"))
    for name, tensor in alone.state_dict().items():
        torch.testing.assert_close(model.state_dict()[name], tensor, atol=1e-5, rtol=1e-4)


@pytest.mark.slow
def test_a_region_in_training_elsewhere_stops_every_rank_at_once(tmp_path):
    # Only rank 0 takes the region's lock; the refusal reaches rank 1 too, which otherwise
    # died at the first barrier with a gloo traceback once rank 0 had left.
    home = build_template(tmp_path / "ddp")
    with exclusive_run(checkpoint_root(home, "eu")):
        done = torchrun_train(home, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert output.count("rank 0: another `hub train` is using") >= 2, output[-3000:]
    assert registry.versions(home, "eu") == []
