"""`hub train` never removes an unfinished run's checkpoints without being told to."""

import pytest
from click.testing import CliRunner
from train_home import build_template, copy_home

from hub.cli import main
from hub.training.checkpoint import checkpoint_folders, checkpoint_root
from hub.training.train import TrainSettings, train
from plumbing.atomic import sha256_file
from tests.cli_text import shows

# The tiny size checkpoints every 10 steps (hub.training.train's size defaults).
SETTINGS = dict(size="tiny", steps=12, batch_size=4, eval_every=6, threads=1)
ARGS = ["train", "--region", "eu", "--size", "tiny", "--steps", "12", "--batch-size", "4",
        "--eval-every", "6", "--threads", "1"]


class Killed(Exception):
    """Stands for the process being killed mid-run."""


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def killed_home(template, tmp_path):
    """A home whose `eu` run was killed at step 11 (its checkpoint of step 10 is left)."""
    home = copy_home(template, tmp_path / "home")

    kill_at_11(home)
    return home


def kill_at_11(home) -> None:
    def on_step(step, total, loss, rate):
        if step == 11:
            raise Killed

    with pytest.raises(Killed):
        train(home, "eu", TrainSettings(**SETTINGS), False, on_step, lambda message: None)


def snapshot(home) -> dict[str, str]:
    root = checkpoint_root(home, "eu")
    return {
        str(path.relative_to(root)): sha256_file(path)
        for folder in checkpoint_folders(root)
        for path in folder.iterdir()
    }


def invoke(home, *extra):
    return CliRunner().invoke(main, [*ARGS, *extra, "--home", str(home)])


def test_a_fresh_run_refuses_to_remove_an_unfinished_runs_checkpoint(killed_home):
    before = snapshot(killed_home)
    assert any(name.startswith("step-00000010/") for name in before)
    result = invoke(killed_home)
    assert result.exit_code == 2, result.output
    assert shows(result.output, "step 10 of 12") and "--resume" in result.output
    assert "--overwrite" in result.output
    assert snapshot(killed_home) == before  # not a byte touched
    assert not (killed_home / "eu").exists()  # and nothing trained or registered


def test_resume_continues_it_and_overwrite_starts_over(killed_home, template, tmp_path):
    resumed = invoke(killed_home, "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert shows(resumed.output, "resuming from step 10 of 12")
    other = copy_home(template, tmp_path / "other")
    kill_at_11(other)
    fresh = invoke(other, "--overwrite")
    assert fresh.exit_code == 0, fresh.output
    assert shows(fresh.output, "removed 1 old checkpoint")
    assert shows(fresh.output, "registered eu/v1")
    both = invoke(other, "--resume", "--overwrite")
    assert both.exit_code == 2 and shows(both.output, "choose one")


def test_a_finished_runs_checkpoint_does_not_block_the_next_run(killed_home):
    assert invoke(killed_home, "--resume").exit_code == 0  # the run finishes: eu/v1
    again = invoke(killed_home, "--seed", "1")
    assert again.exit_code == 0, again.output
    assert shows(again.output, "registered eu/v2")
