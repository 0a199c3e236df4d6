import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from cli_text import flat
from train_home import build_template

from hub import registry
from hub.model_config import config_for
from hub.training.checkpoint import checkpoint_root, exclusive_run
from hub.training.train import TrainSettings, learning_rate, train, weights_sha256


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
    assert registry.resolve(home, "eu").config().training["world_size"] == 2

    # One process on the same global batch (2 x 4 sequences) computes the same update,
    # up to the order of floating-point sums.
    single = build_template(tmp_path / "single")
    settings = TrainSettings(size="tiny", steps=3, batch_size=8, threads=1).resolved()
    train(single, "eu", settings, log=lambda message: None)
    alone, _, _ = registry.load_model(registry.resolve(single, "eu"))
    ddp = torch.cat([t.flatten() for t in model.state_dict().values()])
    one = torch.cat([t.flatten() for t in alone.state_dict().values()])
    within_rounding, sign_flip = rounding_bounds(settings, one.abs().max().item())
    difference = (ddp - one).abs()
    assert difference.median().item() <= within_rounding, difference.median()
    assert difference.max().item() <= sign_flip, difference.max()


def rounding_bounds(settings: TrainSettings, largest_weight: float) -> tuple[float, float]:
    """How far two runs whose gradients differ only in summation order may drift apart.

    A weight gradient sums one term per token of the global batch: n = 8 x 64 = 512 terms,
    split 256 + 256 across the ranks and blocked differently by one process's GEMM. Any
    order of an n-term fp32 sum is within gamma_n = n*u/(1 - n*u) (u = 2**-24) of the
    exact sum, relative to the sum of the terms' magnitudes (Higham, Accuracy and Stability
    of Numerical Algorithms, 2nd ed., section 4.2), so two orders differ by at most
    r = 2 * gamma_n ~ 6.1e-5 where the terms do not cancel. AdamW's step
    lr * g / (|g| + eps) changes by at most lr * r for a relative change r of g (its slope
    in g is at most 1/(|g| + eps)), and decoupled weight decay plus the addition itself
    round the weight by u * |w| per step. So a weight whose sums are well conditioned moves
    by at most sum_t (lr_t * r + u * |w|) between the runs: 6.5e-7 here, and at least half
    of them are (the median). Where the terms cancel to about zero, rounding may decide the
    gradient's sign and Adam, scale-free, turns it into a full step the other way: no
    weight may differ by more than sum_t 2 * lr_t. One rank on the wrong data would move
    the median by about lr = 3e-3.
    """
    u = 2.0**-24
    n = 8 * config_for(settings.size, vocab_size=600).context_length
    gamma = n * u / (1 - n * u)
    rates = [learning_rate(step, settings) for step in range(settings.steps)]
    return sum(lr * 2 * gamma + u * largest_weight for lr in rates), sum(2 * lr for lr in rates)


@pytest.mark.slow
def test_a_region_in_training_elsewhere_stops_every_rank_at_once(tmp_path):
    # Only rank 0 takes the region's lock; the refusal reaches rank 1 too, which otherwise
    # died at the first barrier with a gloo traceback once rank 0 had left.
    home = build_template(tmp_path / "ddp")
    with exclusive_run(checkpoint_root(home, "eu")):
        done = torchrun_train(home, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    refusal = f"rank 0: {checkpoint_root(home, 'eu')}: another `hub train` (process"
    assert flat(output).count(flat(refusal)) >= 2, output[-3000:]  # in the log and the error
    assert registry.versions(home, "eu") == []
