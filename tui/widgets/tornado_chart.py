"""What the top move's gain depends on (`simulator.advice.tornado`), as horizontal bars.

One bar per uncertain parameter, the largest on top: how much the move's NPV gain over the
status quo changes, in $M, as the parameter goes from its low to its high decile across the
simulated futures (right, green: more of it helps the move; left, red: it hurts). Round
ticks on the x axis, the parameter and its two deciles on the y axis. Over textual-plotext,
following the app's theme.
"""

from __future__ import annotations

from textual_plotext import PlotextPlot

MILLION = 1e6  # $M, like the gain chart and the HTML report's ranking
MAX_BARS = 8  # the rows a 12-line panel can label


class TornadoChart(PlotextPlot):
    """Signed swings of the top move's gain per uncertain parameter."""

    def show_tornado(self, title: str, found, xlabel: str, empty: str) -> None:
        """Draw `found` (a `simulator.advice.tornado.Tornado`, or None); `empty` if no bars."""
        from plumbing.numbers import compact
        from simulator.reports.chart_axes import nice_ticks

        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        bars = [] if found is None else found.bars[:MAX_BARS]
        if not bars:
            plt.title(empty)
            self.refresh()
            return
        plt.title(title)
        plt.xlabel(xlabel)
        bars = bars[::-1]  # plotext stacks the first bar at the bottom: the largest goes on top
        positions = list(range(1, len(bars) + 1))
        swings = [b.swing / MILLION for b in bars]
        plt.bar(positions, [max(s, 0.0) for s in swings], orientation="horizontal",
                color="green", width=0.6)
        plt.bar(positions, [min(s, 0.0) for s in swings], orientation="horizontal",
                color="red", width=0.6)
        plt.yticks(positions, [f"{b.parameter} {compact(b.low_value, 2)}.."
                               f"{compact(b.high_value, 2)}" for b in bars])
        ticks = nice_ticks(min(*swings, 0.0), max(*swings, 0.0))
        plt.xticks(ticks, [f"{t:g}" for t in ticks])
        plt.xlim(ticks[0], ticks[-1])
        self.refresh()
