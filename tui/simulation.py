"""Scenario runs in a separate process, so the model never holds the UI's interpreter lock.

The simulator computes in Python and numpy; in a thread of the UI process it would hold
the GIL for long stretches and the screen would stutter. One spawned worker process
(started on the first run, then reused, so its imports are paid once) runs
`simulator.run.run_scenario` and writes the report with `simulator.run.report.write_report`,
exactly like `simulator run`; months done and, every few simulated months, the chart
figures of the months since the last update (summed per firm and region in the child, so
each message is small) come back through a queue; cancellation goes there through an
event. This module never imports textual.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

PROGRESS_SECONDS = 0.05
"""The child reports months done at most this often (20 updates a second is smooth)."""
CHART_MONTHS = 3
"""Live chart figures are sent after at least this many simulated months..."""
CHART_SECONDS = 0.25
"""...and at most this often: each update costs the UI a redraw of the charts..."""
CHART_SHARE = 0.2
"""...and the child summing the new months (0.05-0.2 s measured): the next update waits
until that work is at most this share of the child's time, so the run is not slowed more."""
POLL_SECONDS = 0.05
"""How often the waiting thread looks at the cancel flag while no progress arrives."""

_progress: multiprocessing.Queue | None = None
_cancel: multiprocessing.synchronize.Event | None = None  # type: ignore[name-defined]


CHILD_NICENESS = 10
"""The model runs at a lower OS priority than the UI, which then gets a CPU at once."""


def _attach(progress: multiprocessing.Queue, cancel: object) -> None:
    """(In the child) keep the queue and the event for the runs to come; yield to the UI."""
    global _progress, _cancel
    _progress, _cancel = progress, cancel  # type: ignore[assignment]
    try:
        os.nice(CHILD_NICENESS)
    except (AttributeError, OSError):
        pass  # not POSIX, or not allowed: the run is the same, the UI may stutter more


Series = tuple[list[int], list[float]]
Charts = dict[str, dict[str, dict[str, Series]]]
"""Chart data of a run: region ("all" for every market) -> metric -> firm -> (months, values)."""


def run_charts(timeseries: object, firm_months: object, metrics: tuple[str, ...]) -> Charts:
    """Each metric per firm over months, for all markets and for each region of the run."""
    from tui.data.reports import firm_series

    frame = timeseries.to_pandas()  # type: ignore[attr-defined]
    firms = firm_months.to_pandas()  # type: ignore[attr-defined]
    places: dict[str, set[str] | None] = {"all": None}
    for region, rows in frame.groupby("region"):
        places[str(region)] = set(rows["country"])
    return {
        place: {metric: {firm: (series.index.tolist(), series.tolist())
                         for firm, series in firm_series(frame, firms, None, metric,
                                                         countries).items()}
                for metric in metrics}
        for place, countries in places.items()
    }


def merge_charts(charts: Charts, update: Charts) -> None:
    """Append the months of `update` (later than those in `charts`) to `charts`.

    The dicts change in place; each series is a new pair of lists, so a copy of the dicts
    handed out earlier keeps its series as they were.
    """
    for place, metrics in update.items():
        for metric, firms in metrics.items():
            known = charts.setdefault(place, {}).setdefault(metric, {})
            for firm, (months, values) in firms.items():
                old_months, old_values = known.get(firm, ([], []))
                known[firm] = ([*old_months, *months], [*old_values, *values])


def _simulate(scenario: object, reports_dir: str, metrics: tuple[str, ...],
              chart_seconds: float = CHART_SECONDS) -> tuple[str, str | None, Charts | None]:
    """(In the child) run one scenario and write its report.

    Returns ("done", report folder, chart data) or ("cancelled", None, None).
    """
    import pyarrow.compute as pc

    from simulator.run import run_scenario
    from simulator.run.report import write_report

    last = [0.0]
    charted = [0, time.monotonic() + chart_seconds]  # last month charted, next update from

    def progress(month: int, months: int, so_far: Callable[[], object]) -> None:
        now = time.monotonic()
        if month == months or now - last[0] >= PROGRESS_SECONDS:
            last[0] = now
            _progress.put(("progress", month, months))  # type: ignore[union-attr]
        if month - charted[0] >= CHART_MONTHS and now >= charted[1] and month < months:
            since = [table.filter(pc.greater(table["month"], charted[0]))  # type: ignore[attr-defined]
                     for table in so_far()]
            _progress.put(("charts", run_charts(*since, metrics)))  # type: ignore[union-attr]
            done = time.monotonic()
            charted[:] = [month, done + max(chart_seconds, (done - now) / CHART_SHARE)]

    result = run_scenario(scenario, progress_callback=progress, partial_results=True,
                          cancel=_cancel.is_set)  # type: ignore[union-attr]
    if result.cancelled:
        return "cancelled", None, None
    out = Path(reports_dir) / result.run_id  # where `simulator run` puts it under runs/
    write_report(result, out)
    # Charts are summed here too, so the UI process only draws them.
    return "done", str(out), run_charts(result.timeseries, result.firm_months, metrics)


class SimulationProcess:
    """A reusable worker process for scenario runs."""

    def __init__(self, chart_seconds: float = CHART_SECONDS) -> None:
        """Start nothing yet: the process is spawned by the first run.

        Args:
            chart_seconds: the least time between live chart updates (and before the
                first one; tests set 0 to see one after the first few months).
        """
        self.chart_seconds = chart_seconds
        self._pool: ProcessPoolExecutor | None = None
        context = multiprocessing.get_context("spawn")  # Mesa's choice too; no forked locks
        self._context = context
        self._progress = context.Queue()
        self._cancel = context.Event()

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(1, mp_context=self._context, initializer=_attach,
                                             initargs=(self._progress, self._cancel))
        return self._pool

    def run(self, scenario: object, reports_dir: Path, metrics: tuple[str, ...],
            on_progress: Callable[[int, int], None],
            cancelled: Callable[[], bool],
            on_charts: Callable[[Charts], None] = lambda _charts: None,
            ) -> tuple[str, str | None, Charts | None]:
        """Run `scenario` in the worker process, calling `on_progress(month, months)`.

        `on_charts(charts)` gets, every few simulated months, `metrics` charted per firm for
        the months so far (a fresh object each time, which the caller may keep).
        Returns ("done", report folder, `metrics` charted per firm) or ("cancelled", None,
        None); the model's own errors are raised here as they were raised there.
        """
        self._cancel.clear()
        future = self._executor().submit(_simulate, scenario, str(reports_dir), metrics,
                                         self.chart_seconds)
        live: Charts = {}
        while True:
            if cancelled():
                self._cancel.set()
            try:
                kind, *values = self._progress.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if future.done():
                    break
                continue
            if kind == "progress":
                on_progress(*values)
            else:
                merge_charts(live, values[0])
                # Series are replaced, never extended in place: copying the dicts is enough.
                on_charts({place: {metric: dict(firms) for metric, firms in metrics.items()}
                           for place, metrics in live.items()})
        try:
            return future.result()
        except BrokenProcessPool:
            self.close()  # the process died (killed, out of memory): a new one next time
            raise

    def close(self) -> None:
        """Stop a run in progress and the process (at app exit)."""
        self._cancel.set()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
