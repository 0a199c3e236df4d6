"""Test-wide settings and fixtures."""

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, settings

# Property tests run on shared two-core machines: timing-based checks would make them flaky
# without testing anything about the code, so no deadline and no data-generation speed check.
settings.register_profile("shared-cpu", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("shared-cpu")


@pytest.fixture
def dead_pid() -> int:
    """The id of a process that has exited (as a killed run's would be)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid
