"""Ray and local processes give the same tables (the only Ray test: Ray is slow to start)."""

import pytest
from batch_sweeps import tables, tiny_sweep

from simulator.batch import run_batch

ray = pytest.importorskip("ray")
# One local Ray at a time: the Ray tests share a test worker (tests/conftest.py).
pytestmark = [pytest.mark.xdist_group("ray"), pytest.mark.slow]


@pytest.fixture(scope="module")
def local_ray():
    # "local": a Ray of the test's own, never a cluster already running on the machine
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False,
             configure_logging=False)
    yield
    ray.shutdown()


def test_ray_and_local_processes_give_identical_tables(local_ray, tmp_path):
    sweep = tiny_sweep(tmp_path)
    ray_counts = run_batch(sweep, tmp_path / "ray", workers=2, backend="ray")
    local_counts = run_batch(sweep, tmp_path / "local", workers=2, backend="local")
    assert ray_counts["ok"] == local_counts["ok"] == 12
    assert ray_counts["error"] == local_counts["error"] == 6  # the broken variant, recorded
    on_ray, local = tables(tmp_path / "ray"), tables(tmp_path / "local")
    for name in ("runs", "firms", "timeseries"):
        assert on_ray[name].num_rows > 0
        assert on_ray[name].equals(local[name]), name
