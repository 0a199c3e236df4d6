"""The same calibration on Ray and on local processes: the same non-implausible set."""

import pandas as pd
import pytest
from calibration_cases import UNTIL, twin_case

from simulator.calibration.calibrate import Settings, calibrate

ray = pytest.importorskip("ray")
# One local Ray at a time: the Ray tests share a test worker (tests/conftest.py).
pytestmark = [pytest.mark.xdist_group("ray"), pytest.mark.slow]


def test_ray_and_local_processes_give_the_same_non_implausible_set(tmp_path):
    scenario, observations = twin_case(tmp_path)
    settings = Settings(until=UNTIL, runs=24, waves=2, replicates=2, seed=3,
                        discrepancy_scale=0.0)
    # "local": a Ray of the test's own, never a cluster already running on the machine
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False,
             configure_logging=False)
    try:
        calibrate(scenario, observations, tmp_path / "ray", settings, backend="ray", workers=2)
    finally:
        ray.shutdown()
    calibrate(scenario, observations, tmp_path / "local", settings, workers=2)
    for name in ("points", "non_implausible"):
        on_ray = pd.read_parquet(tmp_path / "ray" / f"{name}.parquet")
        local = pd.read_parquet(tmp_path / "local" / f"{name}.parquet")
        assert len(on_ray) > 0
        pd.testing.assert_frame_equal(on_ray, local)
