import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module",
    ["hub.cli", "simulator.cli", "tui.cli"],
)
def test_every_command_has_help(module):
    out = subprocess.run(
        [sys.executable, "-c", f"from {module} import main; main()", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Usage" in out
    assert "Example" in out


def test_every_subcommand_has_help_with_an_example():
    from click.testing import CliRunner

    from hub.cli import main as hub_main
    from simulator.cli import main as sim_main

    runner = CliRunner()
    for group in (hub_main, sim_main):
        ctx = group.make_context(group.name, ["--help"], resilient_parsing=True)
        for name in group.list_commands(ctx):
            result = runner.invoke(group, [*name.split(), "--help"])
            assert result.exit_code == 0, (name, result.output)
            assert "Example" in result.output, f"{group.name} {name} --help has no example"


def test_defaults_named_in_help_are_the_cores():
    # `hub train` leaves its defaults to TrainSettings (which imports torch, so the help
    # cannot read it when listing commands); what the help says must still be true.
    import re

    from hub.training.train import TrainSettings
    from hub.training.train_cli import train

    core = TrainSettings()
    stated = {}
    for option in train.params:
        found = re.search(r"\[default: ([^\]]+)\]", option.help or "")
        if found and option.default is None:
            stated[option.name] = found.group(1)
    assert stated == {"size": core.size, "grad_accum": str(core.grad_accum),
                      "device": core.device, "seed": str(core.seed)}
    assert {option.name: option.default for option in train.params
            if option.name in ("steps", "batch_size", "learning_rate")} == dict.fromkeys(
        ("steps", "batch_size", "learning_rate"))  # the size's own defaults
