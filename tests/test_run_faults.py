"""`simulator run --out`: checked before the run, and replaced whole or not at all."""

import dataclasses

import pytest
from click.testing import CliRunner
from sim_profiles import firm_toml, scenario_file

from plumbing.outputs import OWNER_MARKER
from simulator.cli import main
from simulator.run import load_scenario, run_scenario
from simulator.run.report import REPORT_FILES, write_report
from tests.cli_text import shows


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run-faults")
    return scenario_file(folder, ["DE", "US"], [firm_toml("Solo", "DE")], months=3)


@pytest.mark.parametrize("where", ["a file", "under a file", "a folder of other files"])
def test_an_out_that_cannot_take_the_report_is_refused_before_the_run(scenario, tmp_path,
                                                                      where):
    (tmp_path / "notes.txt").write_text("mine")
    out = {"a file": tmp_path / "notes.txt", "under a file": tmp_path / "notes.txt" / "r",
           "a folder of other files": tmp_path}[where]
    result = CliRunner().invoke(main, ["run", str(scenario), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert shows(result.output, f"--out {out}") and "Traceback" not in result.output
    assert "firms after" not in result.output  # refused before anything ran
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_report_failing_late_leaves_the_previous_one_whole(scenario, tmp_path, dead_pid):
    out = tmp_path / "report"
    result = run_scenario(load_scenario(scenario))
    write_report(result, out)
    before = {name: (out / name).read_bytes() for name in REPORT_FILES}
    leftover = tmp_path / f".staging-{dead_pid}-abc"  # what a killed run left behind
    leftover.mkdir()
    (leftover / "timeseries.parquet").write_bytes(b"half")
    # The runs row cannot hold this seed (int64): the third file fails after two are written.
    with pytest.raises(OverflowError):
        write_report(dataclasses.replace(result, seed=2**70), out)
    assert {name: (out / name).read_bytes() for name in REPORT_FILES} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # no staging left
    write_report(dataclasses.replace(result, seed=9), out)
    assert sorted(p.name for p in out.iterdir()) == sorted([*REPORT_FILES, OWNER_MARKER])
