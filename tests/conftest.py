"""Test-wide settings and fixtures."""

import os
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


# The README's `python -m pytest -q` runs on two worker processes (pytest-xdist, `addopts` in
# pyproject.toml). Tests are handed out a module at a time, so a module-scoped fixture is
# built once; `@pytest.mark.xdist_group(NAME)` puts tests of several modules on one worker
# (those that share a session fixture, or Ray, which one worker at a time starts).
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class ModuleOrGroup(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.rfind("@") > nodeid.rfind("]"):
                return nodeid.split("@")[-1]
            return nodeid.split("::", 1)[0]

    config.option.loadscopereorder = False  # collection order: see below
    return ModuleOrGroup(config, log)


def _scope(item) -> str:
    """The unit xdist hands out: the test's xdist_group, else its module."""
    group = item.get_closest_marker("xdist_group")
    return str(group.args[0] if group and group.args else group.kwargs.get("name", "default")
               ) if group else str(item.path)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """On xdist workers, units with a test marked `slow` go first (stable otherwise).

    Work goes out in collection order, so a long unit last would leave one worker idle
    while the other finishes it; every worker sorts the same way, as xdist requires.
    """
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return
    slow = {_scope(item) for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: _scope(item) not in slow)


@pytest.fixture(scope="session")
def tiny_export(tmp_path_factory):
    """(registry version, tar, folder): tests/tiny_bundle.py's model exported once per worker.

    The modules that read it share the xdist_group "tiny-export", so one export serves them.
    """
    from tests.tiny_bundle import export_tiny_tar

    return export_tiny_tar(tmp_path_factory.mktemp("tiny-export"))


@pytest.fixture()
def tui_workspace(tmp_path):
    """The TUI's tiny scenario and profile in the test's own folder (tests/test_tui_support)."""
    from test_tui_support import write_workspace

    return write_workspace(tmp_path)
