"""Whether the TUI stays fluid while it runs advice (the Advice screen's background worker).

The advice runs in a thread of the app's process: the moves are chosen there (the price
search simulates the scenario a few times in that thread), the ensemble's runs go to worker
processes. A 60 Hz heartbeat timer on the UI's event loop measures how long the screen could
not be redrawn (its longest gap), during the advice against the same app idle for as long,
per phase: choosing the moves (until the first progress message), then the runs.

Size: the tests' tiny scenario (two firms, three markets) for Frontier, 2 futures, 3 moves,
over 6 months (small) and 24 months (large).

Usage: python benchmarks/bench_tui_advice.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))


async def stalls(months: int) -> dict[str, float]:
    """Longest heartbeat gaps while choosing moves, while running, and idle as long."""
    from test_tui_support import SCENARIO, write_workspace
    from textual.widgets import ProgressBar, Select

    from tui.app import StrategyApp

    workspace = write_workspace(Path(tempfile.mkdtemp()))
    workspace["scenario"].write_text(SCENARIO.replace("months = 6", f"months = {months}"),
                                     "utf-8")
    app = StrategyApp(locale="en", **workspace)
    ticks: list[float] = []
    first_progress: list[float] = []  # when the bar got its length: the moves are chosen

    def longest(start: float, end: float) -> float:
        inside = [start, *[t for t in ticks if start <= t <= end], end]
        return max(b - a for a, b in zip(inside, inside[1:], strict=False))

    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("6")
        await pilot.pause()
        for name, value in (("firm", "Frontier"), ("members", 2), ("months", months),
                            ("moves", 3)):
            app.screen.query_one(f"#advice-{name}", Select).value = value
        await pilot.pause()
        bar = app.screen.query_one("#advice-progress", ProgressBar)

        def tick() -> None:
            ticks.append(time.perf_counter())
            if bar.total is not None and not first_progress:
                first_progress.append(ticks[-1])

        app.set_interval(1 / 60, tick)
        start = time.perf_counter()
        await pilot.press("a")
        await app.workers.wait_for_complete()
        end = time.perf_counter()
        await pilot.pause()
        idle_start = time.perf_counter()
        await asyncio.sleep(end - start)
        idle_end = time.perf_counter()
    chosen = first_progress[0] if first_progress else end
    return {"advice_s": end - start, "choosing_s": chosen - start,
            "stall_choosing_s": longest(start, chosen), "stall_runs_s": longest(chosen, end),
            "stall_idle_s": longest(idle_start, idle_end)}


def main() -> None:
    print("| size | advice (s) | choosing moves (s) | longest stall, choosing (s) "
          "| longest stall, runs (s) | longest stall, idle (s) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for size, months in (("small", 6), ("large", 24)):
        r = asyncio.run(stalls(months))
        print(f"| {size} ({months} months) | {r['advice_s']:.1f} | {r['choosing_s']:.1f} | "
              f"{r['stall_choosing_s']:.3f} | {r['stall_runs_s']:.3f} | "
              f"{r['stall_idle_s']:.3f} |")


if __name__ == "__main__":
    main()
