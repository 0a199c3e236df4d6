"""How quickly the TUI shows its first screen, and whether it stays fluid during a run or advice.

Three measurements, each side by side with a reference in the same run:
- start to first drawn screen: fresh processes that import the app, open it headless
  (100x30) on a scenario and stop at the first frame the app writes; against the same
  process that only imports Textual and draws an empty App.
- longest frame gap while a run is in progress: frames the app writes and the ticks of a
  60 Hz heartbeat timer (how long the event loop could not draw: a frozen UI shows here)
  while a scenario runs, against the same app idle for as long. The first run also starts
  the simulation process (cold), the second reuses it (warm). A frame is written only when
  something changed, so a long frame gap with short loop stalls is a quiet screen, not a
  frozen one (e.g. while the process starts, before the first month is done).

- longest frame gap and loop stall while advice runs from the Advice screen (its worker
  thread waits on the advice's child process; the screen shows progress, ETA and cancel):
  frames written and 60 Hz heartbeat ticks from pressing `a` to the shown result, against
  the same app idle for as long. Target (issue 26): no stall over 0.1 s.

Sizes: small (the tests' two firms, three markets, 600 months) and large (the shipped
default scenario: its firms in every country, 120 months). Without a shipped technology
profile the large run uses the tests' small profile. The advice: the tests' tiny scenario
for Frontier, 2 futures, 3 moves, over 6 months.

Usage: python benchmarks/bench_tui.py [--repeats 5] [--only first-frame|run|advice]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))


def workspace(root: Path, size: str) -> dict:
    """The small or large scenario in a fresh folder."""
    from test_tui_support import SCENARIO, write_profile, write_workspace

    from hub.regions import BUILTIN
    from plumbing.shipped import shipped_path
    from tui.data.workspace import shipped_profile

    ws = write_workspace(root)
    if size == "small":
        ws["scenario"].write_text(SCENARIO.replace("months = 6", "months = 600"), "utf-8")
    else:
        text = shipped_path("scenarios", "default.toml").read_text("utf-8")
        if shipped_profile() is None:
            write_profile(ws["profile"], tuple(r for r in BUILTIN if r not in ("eu", "global")))
            text = 'technology_profile = "profile.parquet"\n' + text
        ws["scenario"].write_text(text, "utf-8")
    return ws


def first_frame_child(kind: str, folder: str) -> None:
    """(Child process) seconds from the start of the script to the first frame written.

    The workspace (`folder`, written by the parent) is opened as `intl-strategy` would be.
    """
    start = time.perf_counter()
    if kind == "app":
        from tui.app import StrategyApp

        root = Path(folder)
        app = StrategyApp(locale="en", scenario=root / "work" / "tiny.toml",
                          profile=root / "work" / "profile.parquet", user_dir=root / "work",
                          home=root / "models", reports_dir=root / "reports")
    else:
        from textual.app import App

        app = App()
    frames: list[float] = []
    display = app._display  # wrapped to time frames; the app itself is untouched

    def timed_display(screen, renderable):
        frames.append(time.perf_counter())
        display(screen, renderable)

    app._display = timed_display

    async def main() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            while not frames:
                await pilot.pause()

    asyncio.run(main())
    print(json.dumps(frames[0] - start))


def startup(repeats: int) -> dict[str, list[float]]:
    """First-frame times of fresh processes: the app and a bare Textual App."""
    results: dict[str, list[float]] = {"app": [], "bare": []}
    folder = tempfile.mkdtemp()
    workspace(Path(folder), "small")
    for _ in range(repeats):
        for kind in results:
            out = subprocess.run([sys.executable, __file__, "--first-frame", kind, folder],
                                 capture_output=True, text=True, check=True)
            results[kind].append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results


async def frame_gaps(size: str) -> list[dict[str, float]]:
    """Per run (a cold one that starts the simulation process, then a warm one): longest
    gaps between frames and between heartbeat ticks, running versus idle as long."""
    from tui.app import StrategyApp
    from tui.screens.run import RunScreen

    app = StrategyApp(locale="en", **workspace(Path(tempfile.mkdtemp()), size))
    frames: list[float] = []
    ticks: list[float] = []
    redraws: list[float] = []  # live chart updates drawn
    on_run_charts = RunScreen.on_run_charts

    def counted(screen, message):
        redraws.append(time.perf_counter())
        on_run_charts(screen, message)

    RunScreen.on_run_charts = counted
    display = app._display

    def timed_display(screen, renderable):
        frames.append(time.perf_counter())
        display(screen, renderable)

    app._display = timed_display

    def longest(stamps: list[float], start: float, end: float) -> float:
        inside = [start, *[t for t in stamps if start <= t <= end], end]
        return max(b - a for a, b in zip(inside, inside[1:], strict=False))

    results = []
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.set_interval(1 / 60, lambda: ticks.append(time.perf_counter()))
        await pilot.press("2")  # the run screen
        await app.workers.wait_for_complete()
        for kind in ("cold", "warm"):
            run_start = time.perf_counter()
            await pilot.press("r")
            await app.workers.wait_for_complete()
            run_end = time.perf_counter()
            await pilot.pause()
            assert "Done" in app.screen.status_text, app.screen.status_text
            idle_start = time.perf_counter()
            await asyncio.sleep(run_end - run_start)  # idle as long as the run took
            idle_end = time.perf_counter()
            results.append({
                "kind": kind,
                "run_s": run_end - run_start,
                "frames_during_run": len([t for t in frames if run_start <= t <= run_end]),
                "chart_updates": len([t for t in redraws if run_start <= t <= run_end]),
                "longest_frame_gap_run_s": longest(frames, run_start, run_end),
                "longest_tick_gap_run_s": longest(ticks, run_start, run_end),
                "longest_tick_gap_idle_s": longest(ticks, idle_start, idle_end),
            })
    return results


async def advice_gaps(months: int = 6) -> dict[str, float]:
    """Longest frame gap and loop stall while the Advice screen runs advice, and idle."""
    from test_tui_support import SCENARIO, write_workspace
    from textual.widgets import Select

    from tui.app import StrategyApp

    ws = write_workspace(Path(tempfile.mkdtemp()))
    ws["scenario"].write_text(SCENARIO.replace("months = 6", f"months = {months}"), "utf-8")
    app = StrategyApp(locale="en", **ws)
    frames: list[float] = []
    ticks: list[tuple[float, float, float]] = []  # wall, UI thread CPU, process CPU
    display = app._display

    def timed_display(screen, renderable):
        frames.append(time.perf_counter())
        display(screen, renderable)

    app._display = timed_display

    def longest(stamps: list[float], start: float, end: float) -> float:
        inside = [start, *[t for t in stamps if start <= t <= end], end]
        return max(b - a for a, b in zip(inside, inside[1:], strict=False))

    def tick() -> None:
        ticks.append((time.perf_counter(), time.thread_time(), time.process_time()))

    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("6")
        await pilot.pause()
        for name, value in (("firm", "Frontier"), ("members", 2), ("months", months),
                            ("moves", 3)):
            app.screen.query_one(f"#advice-{name}", Select).value = value
        await pilot.pause()
        app.set_interval(1 / 60, tick)
        start = time.perf_counter()
        await pilot.press("a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        end = time.perf_counter()
        assert app.screen.advice is not None, "the advice was not shown"
        idle_start = time.perf_counter()
        await asyncio.sleep(end - start)
        idle_end = time.perf_counter()
    during = [t for t in ticks if start <= t[0] <= end]
    # The longest stall between two ticks: the CPU the UI thread and the whole process used
    # in it tell the UI's own work (both near the stall) from waiting for a CPU (both near 0).
    worst = max(zip(during, during[1:], strict=False), key=lambda p: p[1][0] - p[0][0])
    return {"advice_s": end - start,
            "frames": len([t for t in frames if start <= t <= end]),
            "frame_gap_s": longest(frames, start, end),
            "stall_s": longest([t[0] for t in ticks], start, end),
            "stall_ui_cpu_s": worst[1][1] - worst[0][1],
            "stall_process_cpu_s": worst[1][2] - worst[0][2],
            "stall_idle_s": longest([t[0] for t in ticks], idle_start, idle_end)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--first-frame", nargs=2, metavar=("KIND", "FOLDER"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=("first-frame", "run", "advice"))
    args = parser.parse_args()
    if args.first_frame:
        first_frame_child(*args.first_frame)
        return
    if args.only in (None, "first-frame"):
        first_frames(args.repeats)
    if args.only in (None, "run"):
        run_gaps()
    if args.only in (None, "advice"):
        print()
        print("| advice | advice (s) | frames | longest frame gap (s) | longest loop stall (s) "
              "| UI thread CPU in it (s) | process CPU in it (s) "
              "| longest loop stall, idle (s) |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        r = asyncio.run(advice_gaps())
        print(f"| tiny, 2 futures x 3 moves, 6 months | {r['advice_s']:.1f} | {r['frames']} | "
              f"{r['frame_gap_s']:.3f} | {r['stall_s']:.3f} | {r['stall_ui_cpu_s']:.3f} | "
              f"{r['stall_process_cpu_s']:.3f} | {r['stall_idle_s']:.3f} |")


def first_frames(repeats: int) -> None:
    """Print the first-frame table."""
    times = startup(repeats)
    print("| process | median first frame (s) | min (s) | ratio to bare Textual |")
    print("| --- | --- | --- | --- |")
    bare = statistics.median(times["bare"])
    for kind, values in times.items():
        median = statistics.median(values)
        print(f"| {kind} | {median:.3f} | {min(values):.3f} | {median / bare:.1f}x |")


def run_gaps() -> None:
    """Print the run table."""
    print()
    print("| size | run | run (s) | frames | live chart updates | longest frame gap (s) "
          "| longest loop stall, run (s) | longest loop stall, idle (s) | stall ratio run/idle |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for size in ("small", "large"):
        for r in asyncio.run(frame_gaps(size)):
            print(f"| {size} | {r['kind']} | {r['run_s']:.2f} | {r['frames_during_run']} | "
                  f"{r['chart_updates']} | "
                  f"{r['longest_frame_gap_run_s']:.3f} | {r['longest_tick_gap_run_s']:.3f} | "
                  f"{r['longest_tick_gap_idle_s']:.3f} | "
                  f"{r['longest_tick_gap_run_s'] / r['longest_tick_gap_idle_s']:.1f}x |")

if __name__ == "__main__":
    main()
