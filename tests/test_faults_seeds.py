"""Every command that takes --seed takes it through one option (plumbing.seed_option).

numpy's generators take 0 .. 2**32 - 1; a seed outside that, or not an integer, is refused
the same way by every command (exit 2, the range named), before anything is read.
"""

import click
import pytest
from click.testing import CliRunner

from hub.cli import main as hub_main
from plumbing.seed_option import SEED
from simulator.cli import main as simulator_main
from tests.cli_text import shows


def commands(group, prefix=()):
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if isinstance(command, click.Group):
            yield from commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


SEEDED = [(main, path) for main in (simulator_main, hub_main) for path, command in
          commands(main) if any(p.name == "seed" for p in command.params)]


def test_every_seed_option_is_the_shared_one():
    names = {" ".join(path) for _main, path in SEEDED}
    assert {"run", "advise", "calibrate", "generate"} <= names, names
    for main, path in SEEDED:
        command = main
        for name in path:
            command = command.get_command(click.Context(command), name)
        seed = next(p for p in command.params if p.name == "seed")
        assert seed.type is SEED, path


@pytest.mark.parametrize("seed", ["-1", str(2**32), "1e30", "1.5", "inf"])
@pytest.mark.parametrize("main, path", SEEDED, ids=lambda v: " ".join(v) if
                         isinstance(v, tuple) else "")
def test_a_seed_out_of_range_is_refused_by_every_command(main, path, seed, tmp_path):
    result = CliRunner().invoke(main, [*path, "--seed", seed, str(tmp_path / "missing")])
    assert result.exit_code == 2, result.output
    assert shows(result.output, "Invalid value for '--seed'"), result.output
    assert "Traceback" not in result.output and not list(tmp_path.iterdir())
