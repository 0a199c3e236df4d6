"""An advice folder resumes only runs made from the same inputs, the profile's bytes included.

The plan's digest names the scenario, firm, moves, ensemble and decision date; the folder's
fingerprint adds what the runs read besides: the technology profile's content, the model
code and the product version. A profile changed under the same path must not be mixed in.
"""

from __future__ import annotations

from cli_text import shows
from click.testing import CliRunner
from sim_profiles import write_profile
from test_advise import LOCALISE, case

from simulator.cli import main


def _advise(scenario, moves, out):
    return CliRunner().invoke(main, ["advise", str(scenario), "--firm", "Solo", "--moves",
                                     str(moves), "--samples", "2", "--workers", "1",
                                     "--out", str(out)])


def test_a_profile_changed_under_the_same_path_is_refused_with_its_name(tmp_path):
    scenario = case(tmp_path, "IS")
    moves = tmp_path / "moves.toml"
    moves.write_text(LOCALISE.format(region="eu"), encoding="utf-8")
    first = _advise(scenario, moves, tmp_path / "advice")
    assert first.exit_code == 0, first.output
    assert _advise(scenario, moves, tmp_path / "advice").exit_code == 0  # same inputs: resumed
    write_profile(tmp_path / "profile.parquet")  # other bytes, same path
    again = _advise(scenario, moves, tmp_path / "advice")
    assert again.exit_code == 2, again.output
    assert shows(again.output, "technology profile")
    assert shows(again.output, "made from other inputs")
