"""Each move's NPV gain over the status quo in every simulated future, as a strip chart.

One column of dots per move (x: its rank in the table), one dot per ensemble member: the
member's NPV under the move less its NPV under the status quo (common random numbers, so
the difference is the move's doing). The median of each move is a cross; 0 is the status
quo. Over textual-plotext, following the app's theme.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual_plotext import PlotextPlot

MILLION = 1e6  # gains are shown in millions of US dollars, like the HTML report's ranking


class GainChart(PlotextPlot):
    """Members' gains over the status quo per move, in $M."""

    def show_gains(self, title: str, moves: Sequence[str], gains: Mapping[str, Sequence[float]],
                   xlabel: str, ylabel: str) -> None:
        """Draw `gains` (move -> one gain per member, USD) for `moves`, in that order."""
        import numpy as np

        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        plt.xlabel(xlabel)
        plt.ylabel(ylabel)
        from simulator.reports.chart_axes import nice_ticks

        ranks = [rank for rank, move in enumerate(moves, start=1) if move in gains]
        if ranks:
            xs = [rank for rank in ranks for _ in gains[moves[rank - 1]]]
            ys = [g / MILLION for rank in ranks for g in gains[moves[rank - 1]]]
            plt.scatter(xs, ys, marker="dot")
            plt.scatter(ranks, [float(np.median(gains[moves[r - 1]])) / MILLION for r in ranks],
                        marker="x")
            # Round ticks that take in 0 (the status quo), like the HTML report's axes.
            ticks = nice_ticks(min(*ys, 0.0), max(*ys, 0.0))
            plt.yticks(ticks, [f"{t:g}" for t in ticks])
            plt.ylim(ticks[0], ticks[-1])
            plt.hline(0.0)
            plt.xticks(ranks, [str(r) for r in ranks])
            plt.xlim(0.5, max(ranks) + 0.5)
        self.refresh()
