"""Shared data for the TUI tests: a tiny technology profile and a tiny scenario, and one
simulation process for all the apps of a test file.

Kept small so every Pilot test runs a whole scenario in well under a second.
"""

from __future__ import annotations

import asyncio
import os
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hub.profile_schema import PROFILE_SCHEMA
from simulator.batch.store import METADATA
from tui import i18n
from tui.simulation import CHART_SECONDS, SimulationProcess

# (region, lang, bits per byte, token premium vs English, USD per 1M characters, latency ms)
PROFILE_ROWS = [
    ("global", "en", 1.10, 1.00, 0.020, 4.0),
    ("global", "de", 1.35, 1.32, 0.026, 4.1),
    ("global", "fr", 1.30, 1.25, 0.025, 4.1),
    ("global", "es", 1.28, 1.22, 0.024, 4.0),
    ("eu", "en", 1.15, 1.00, 0.021, 4.0),
    ("eu", "de", 1.18, 1.08, 0.022, 4.0),
    ("eu", "fr", 1.17, 1.06, 0.021, 4.0),
    ("eu", "es", 1.20, 1.07, 0.022, 4.0),
]

SCENARIO = """\
# A tiny scenario for the TUI tests: two firms, three markets, six months.
name = "tiny duel"
seed = 7
months = 6  # short, so a run takes a moment
markets = ["DE", "FR", "US"]
technology_profile = "profile.parquet"

[[firms]]
name = "Frontier"
home = "US"
cash_usd = 2e9
talent = { researchers = 300, engineers = 1200 }
strategy = { entry_rule = "gravity" }

[[firms]]
name = "Challenger"  # the European one
home = "DE"
cash_usd = 5e8
talent = { researchers = 80, engineers = 300 }
strategy = { entry_rule = "uppsala", localise = [{ region = "eu", start_month = 0 }] }
"""


SWEEP = """\
# A tiny Sobol sweep over the tiny scenario: 2 strategies x 4 x (2 + 2) points, one seed.
name = "tiny sweep"
scenario = "tiny.toml"
seed = 1
seeds = 1
focus_firm = "Challenger"
design = { kind = "sobol", samples = 4 }

[[variants]]
name = "early"
overrides = { "firms.Challenger.strategy.localise" = [{ region = "eu", start_month = 0 }] }

[[variants]]
name = "late"
overrides = { "firms.Challenger.strategy.localise" = [{ region = "eu", start_month = 3 }] }

[uncertain]
serving_cost_multiplier = [0.5, 2.0]  # x the serving cost from physics (simulator.compute)
token_premium_scale = [0.6, 1.6]
"""


def write_batch(root: Path) -> Path:
    """Run the tiny sweep with `simulator.batch.run_batch` (one worker); returns its folder."""
    from rich.console import Console

    from simulator.batch import run_batch

    workspace = write_workspace(root)
    sweep = workspace["user_dir"] / "sweep.toml"
    sweep.write_text(SWEEP, encoding="utf-8")
    out = root / "batch"
    run_batch(sweep, out, workers=1, console=Console(quiet=True))
    return out


def session_batch(tmp_path_factory) -> Path:
    """The tiny sweep's batch folder, built once per test session (shared by test files)."""
    root = tmp_path_factory.getbasetemp() / "tui-batch"
    if not (root / "batch" / METADATA).is_file():
        root.mkdir(exist_ok=True)
        return write_batch(root)
    return root / "batch"


def write_profile(path: Path, more_regions: tuple[str, ...] = ()) -> Path:
    """A technology profile in hub.profile_schema.PROFILE_SCHEMA with a global and an eu model
    (and, for `more_regions`, models with the eu model's figures)."""
    rows = []
    copies = [(extra, *row[1:]) for extra in more_regions for row in PROFILE_ROWS
              if row[0] == "eu"]
    for region, lang, bpb, premium, cost, latency in [*PROFILE_ROWS, *copies]:
        rows.append({
            "model_id": f"{region}/v1", "region": region, "lang": lang, "size": "tiny",
            "params": 1_000_000, "bits_per_byte": bpb, "bits_per_char": bpb,
            "compressor_bits_per_byte": 2.5,
            "top1_accuracy": 0.4, "chrf": None, "tokens_per_char": 0.3 * premium,
            "token_premium_vs_en": premium, "latency_ms_per_token": latency,
            "tokens_per_s": 1000.0 / latency, "usd_per_1m_chars": cost, "usd_per_hour": 1.0,
            "train_flops": 1e21, "train_seconds": 60.0, "train_device": "cpu",
            "command": "test fixture", "measured_at": "2026-01-01T00:00:00+00:00",
            "machine": "test", "model_sha256": "0" * 64,
        })
    pq.write_table(pa.Table.from_pylist(rows, schema=PROFILE_SCHEMA), path)
    return path


def write_workspace(root: Path) -> dict[str, Path]:
    """A user folder with the tiny scenario and profile, an empty hub home, a reports folder."""
    user = root / "work"
    user.mkdir()
    write_profile(user / "profile.parquet")
    scenario = user / "tiny.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    return {"user_dir": user, "scenario": scenario, "profile": user / "profile.parquet",
            "home": root / "models", "reports_dir": root / "reports"}


class KeptSimulation(SimulationProcess):
    """The real simulation process, kept when an app exits: the next app's runs reuse it
    instead of starting a process of their own (its imports take 1-2 s)."""

    def close(self) -> None:
        """Stop a run in progress, keep the process."""
        self._cancel.set()


FROZEN = datetime(2026, 1, 1, 12, 0).timestamp()  # what snapshots show as "made"


def freeze_times(root: Path) -> None:
    """Every file and folder under `root` dated 2026-01-01 12:00 (local time), so the pickers'
    "made" stamps in snapshots do not follow the clock."""
    if root.exists():
        for path in [*root.rglob("*"), root]:
            os.utime(path, (FROZEN, FROZEN))


# The terminal size the app tests and the snapshots run in.
SIZE = (100, 30)


@pytest.fixture(autouse=True)
def english_afterwards():
    """Autouse where imported: a test that switches the language leaves English behind."""
    yield
    i18n.set_locale("en")


@pytest.fixture(scope="module")
def kept_simulation():
    simulation = KeptSimulation()
    yield simulation
    SimulationProcess.close(simulation)


@pytest.fixture()
def one_simulation_process(kept_simulation, monkeypatch):
    """Apps of the test use the file's kept process, with the default chart interval.

    Its working directory is the one of the test that started it: relative report
    folders need a process of their own.
    """
    kept_simulation.chart_seconds = CHART_SECONDS
    monkeypatch.setattr("tui.app.SimulationProcess", lambda: kept_simulation)
    return kept_simulation



async def settle(app, pilot) -> None:
    """Let the app finish its workers and handle its messages."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot, condition) -> None:
    """Let the app handle its messages until `condition()` holds (bounded, not a sleep)."""
    async with asyncio.timeout(60):
        while not condition():
            await pilot.pause()
