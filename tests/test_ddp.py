import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from train_home import build_template

from hub import registry
from hub.train import TrainSettings, train, weights_sha256


@pytest.mark.slow  # two torchrun processes, each importing torch and tokenizing
def test_two_cpu_processes_end_with_the_same_weights(tmp_path):
    home = build_template(tmp_path / "ddp")
    hub = Path(sys.executable).parent / "hub"
    command = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
        "--no-python", str(hub),
        "train", "--region", "eu", "--size", "tiny", "--steps", "3", "--batch-size", "4",
        "--home", str(home),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
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
