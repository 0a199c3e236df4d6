import json

import numpy as np
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from train_home import build_template, copy_home

from hub import registry
from hub.cli import main
from hub.model_config import flops_per_token
from hub.training.checkpoint import checkpoint_folders, checkpoint_root, exclusive_run
from hub.training.train import TrainSettings, learning_rate, train, weights_sha256
from hub.training.train_data import BatchSampler, load_region_data
from plumbing.errors import InputError
from tests.cli_text import shows

FAST = dict(size="tiny", steps=6, batch_size=4, eval_every=3, checkpoint_every=2, threads=1)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def home(template, tmp_path):
    return copy_home(template, tmp_path / "home")


def run(home, resume=False, on_step=None, **overrides):
    messages = []
    result = train(
        home, "eu", TrainSettings(**{**FAST, **overrides}), resume, on_step, messages.append
    )
    return result, messages


def test_training_registers_a_complete_version(home):
    result, messages = run(home)
    version = result.version
    assert version.model_id == "eu/v1"
    assert registry.verify(version) == []
    config = version.config()
    training = config.training
    assert training["tokens"] == 6 * 4 * 64 == result.tokens
    assert training["train_flops"] == flops_per_token(registry.load_model(version)[1]) * 6 * 256
    assert training["train_seconds"] > 0 and training["params"] == result.params
    assert training["corpus_sha256"] and training["seed"] == 0
    assert config.languages == ("de", "en", "es", "fr")
    assert any("MFLOPs per training token" in m for m in messages)
    curve = pq.read_table(version.file("training_curve.parquet")).to_pylist()
    assert [r["step"] for r in curve if r["metric"] == "train_loss"] == [1, 2, 3, 4, 5, 6]
    bpb = {r["lang"]: r["value"] for r in curve if r["metric"] == "valid_bpb" and r["step"] == 6}
    assert set(bpb) == {"de", "en", "es", "fr", "all"}
    # Random guessing over ~600 tokens costs ~9.2 bits per token; learning must do better.
    assert all(0 < v < 9 for v in bpb.values())
    assert (checkpoint_root(home, "eu") / "training_curve.parquet").is_file()
    model, _, _ = registry.load_model(version)
    assert weights_sha256(model) == result.weights_sha256


def test_same_seed_gives_the_same_weights_and_registers_once(home):
    first, _ = run(home, steps=3)
    again, messages = run(home, steps=3)
    other, _ = run(home, steps=3, seed=1)
    assert again.weights_sha256 == first.weights_sha256
    assert again.version == first.version  # identical content: the existing version
    assert any("removed" in m for m in messages)  # a fresh run drops old checkpoints
    assert other.weights_sha256 != first.weights_sha256
    assert other.version.version == 2


class Killed(Exception):
    pass


def kill_at(step_to_die):
    def on_step(step, total, loss, rate):
        if step == step_to_die:
            raise Killed

    return on_step


def test_resumed_run_equals_uninterrupted_run(home, template, tmp_path):
    reference, _ = run(copy_home(template, tmp_path / "reference"))
    with pytest.raises(Killed):
        run(home, on_step=kill_at(5))  # checkpoints at 2 and 4; step 5 is lost
    assert [p.name for p in checkpoint_folders(checkpoint_root(home, "eu"))] == [
        "step-00000002",
        "step-00000004",
    ]
    resumed, messages = run(home, resume=True)
    assert "resuming from step 4 of 6" in messages
    assert resumed.weights_sha256 == reference.weights_sha256
    curve = pq.read_table(resumed.version.file("training_curve.parquet")).to_pylist()
    assert [r["step"] for r in curve if r["metric"] == "train_loss"] == [1, 2, 3, 4, 5, 6]


def test_a_damaged_checkpoint_is_skipped_with_a_warning(home, template, tmp_path):
    reference, _ = run(copy_home(template, tmp_path / "reference"))
    with pytest.raises(Killed):
        run(home, on_step=kill_at(5))
    newest = checkpoint_folders(checkpoint_root(home, "eu"))[-1]
    weights = newest / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-8] + b"\0" * 8)
    resumed, messages = run(home, resume=True)
    assert any("skipping damaged checkpoint step-00000004" in m for m in messages)
    assert "resuming from step 2 of 6" in messages
    assert resumed.weights_sha256 == reference.weights_sha256


def test_resume_refuses_a_checkpoint_of_another_run(home):
    with pytest.raises(Killed):
        run(home, on_step=kill_at(3))
    with pytest.raises(InputError, match="different run.*settings"):
        run(home, resume=True, seed=5)


def test_learning_rate_warms_up_then_decays_to_the_floor():
    settings = TrainSettings(size="tiny", steps=100, learning_rate=1.0).resolved()
    rates = [learning_rate(step, settings) for step in range(100)]
    assert rates[0] < rates[4] == pytest.approx(1.0)
    assert all(a >= b for a, b in zip(rates[5:], rates[6:], strict=False))
    assert rates[-1] == pytest.approx(0.1, abs=1e-3)


def test_sequences_start_with_a_language_tag_and_translation_examples_are_added(home):
    with_examples, _ = load_region_data(home, "eu", translation_examples=True)
    without, _ = load_region_data(home, "eu", translation_examples=False)
    assert with_examples.langs == ["de", "en", "es", "fr"]
    en_tag = with_examples.tag_ids[with_examples.langs.index("en")]
    de = with_examples.langs.index("de")
    assert len(with_examples.streams[de]) > len(without.streams[de])
    assert en_tag in with_examples.streams[de] and en_tag not in without.streams[de]
    sampler = BatchSampler(with_examples, context_length=16, seed=3)
    batch = sampler.draw(32)
    assert batch.shape == (32, 17)
    assert set(batch[:, 0].tolist()) <= set(with_examples.tag_ids)
    # The sampler's position survives a JSON round trip exactly.
    state = json.loads(json.dumps(sampler.state()))
    expected = sampler.draw(4)
    sampler.restore(state)
    assert np.array_equal(sampler.draw(4), expected)


def test_context_longer_than_the_data_is_refused(home):
    data, _ = load_region_data(home, "eu")
    with pytest.raises(InputError, match="longer than the training data"):
        BatchSampler(data, context_length=data.train_tokens, seed=0)


def test_cli_trains_and_registers(home):
    runner = CliRunner()
    args = ["train", "--region", "eu", "--size", "tiny", "--steps", "2", "--threads", "1"]
    result = runner.invoke(main, [*args, "--home", str(home)])
    assert result.exit_code == 0, result.output
    assert shows(result.output, "registered eu/v1")
    assert shows(result.output, "valid bits per byte: de")


def test_cli_names_the_command_that_makes_what_is_missing(tmp_path, home):
    runner = CliRunner()
    empty = runner.invoke(main, ["train", "--region", "eu", "--home", str(tmp_path / "none")])
    assert empty.exit_code == 2 and "hub corpus build" in empty.output
    no_tokenizer = runner.invoke(main, ["train", "--region", "na", "--home", str(home)])
    assert no_tokenizer.exit_code == 2
    assert "hub tokenizer train --region na" in no_tokenizer.output
    bad_name = runner.invoke(main, ["train", "--region", "../x", "--home", str(home)])
    assert bad_name.exit_code == 2 and "not allowed" in bad_name.output


def test_a_second_run_of_the_same_region_is_refused_and_leftovers_are_cleared(home, dead_pid):
    root = checkpoint_root(home, "eu")
    (root / f".staging-{dead_pid}-killed").mkdir(parents=True)
    with exclusive_run(root):
        with pytest.raises(InputError, match="another `hub train`"):
            run(home, steps=1)
    run(home, steps=1)
    assert not list(root.glob(".staging-*"))
