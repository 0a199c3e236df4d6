"""A full disk ends a write with a message and exit 1, leaving nothing half-written.

Real file systems: a 2 MB tmpfs mounted for the test (`tests.tmpfs`: root may mount one;
where mounting is not permitted the tests are skipped and say why), filled to within ~100 KB.
"""

from pathlib import Path

import pytest
from click.testing import CliRunner

from plumbing.atomic import write_bytes
from plumbing.errors import WriteFailure
from simulator.cli import main
from tests.cli_text import shows
from tests.tmpfs import mounted_tmpfs

SCENARIO = Path(__file__).parents[1] / "data" / "scenarios" / "stylised.toml"


@pytest.fixture
def nearly_full(tmp_path):
    """A 2 MB tmpfs at tmp_path/full holding a 1.9 MB file of the user's."""
    with mounted_tmpfs(tmp_path / "full", "2m") as point:
        (point / "filler").write_bytes(b"\x01" * 1_900_000)
        yield point


def test_simulator_run_on_a_full_disk_exits_1_and_leaves_nothing(nearly_full):
    result = CliRunner().invoke(main, ["run", str(SCENARIO), "--months", "12", "--out",
                                       str(nearly_full / "report")])
    assert result.exit_code == 1, result.output
    assert shows(result.output, f"{nearly_full}: could not be written (No space left on "
                                "device); nothing was written there and the temporary files "
                                "were removed")
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert [p.name for p in nearly_full.iterdir()] == ["filler"]  # no report, no staging
    assert (nearly_full / "filler").read_bytes() == b"\x01" * 1_900_000


def test_an_atomic_write_that_does_not_fit_keeps_the_old_file_whole(nearly_full):
    (nearly_full / "filler").unlink()
    target = nearly_full / "figures.bin"
    write_bytes(target, b"old" * 1000)
    with pytest.raises(WriteFailure, match="No space left on device") as failed:
        write_bytes(target, b"\x02" * 3_000_000)
    assert failed.value.exit_code == 1 and failed.value.path == target
    assert target.read_bytes() == b"old" * 1000
    assert [p.name for p in nearly_full.iterdir()] == ["figures.bin"]  # temporary removed
