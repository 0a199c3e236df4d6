"""Line and bar charts over textual-plotext, following the app's theme."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual_plotext import PlotextPlot

Series = tuple[Sequence[float], Sequence[float]]
"""x values and y values."""
Band = tuple[Sequence[float], Sequence[float], Sequence[float]]
"""x values, lower bound, upper bound."""


class LineChart(PlotextPlot):
    """Several named series over a shared x axis (months)."""

    def show_series(self, title: str, series: Mapping[str, Series], xlabel: str = "",
                    bands: Mapping[str, Band] | None = None) -> None:
        """Draw `series` (name -> (x, y)); `bands` (name -> (x, low, high)) as dotted bounds."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        plt.xlabel(xlabel)
        for name, (xs, ys) in series.items():
            if len(xs):
                plt.plot(list(xs), list(ys), label=name, marker="braille")
        for name, (xs, low, high) in (bands or {}).items():
            if len(xs):
                plt.plot(list(xs), list(low), label=f"{name} p10", marker="dot")
                plt.plot(list(xs), list(high), label=f"{name} p90", marker="dot")
        self.refresh()


class BarChart(PlotextPlot):
    """Bars per category, optionally several groups side by side."""

    def show_bars(self, title: str, labels: Sequence[str],
                  groups: Mapping[str, Sequence[float]]) -> None:
        """Draw one bar per label for each group (name -> values aligned with labels)."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        if labels and groups:
            if len(groups) == 1:
                plt.bar(list(labels), list(next(iter(groups.values()))))
            else:
                plt.multiple_bar(list(labels), [list(v) for v in groups.values()],
                                 labels=list(groups))
        self.refresh()
