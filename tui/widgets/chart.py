"""Line and bar charts over textual-plotext, following the app's theme."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual_plotext import PlotextPlot

Series = tuple[Sequence[float], Sequence[float]]
"""x values and y values."""
Band = tuple[Sequence[float], Sequence[float], Sequence[float]]
"""x values, lower bound, upper bound."""
MAX_POINTS = 200
"""A terminal chart is at most ~100 cells (200 braille dots) wide: more points only cost
drawing time on the UI thread (plotext builds the plot when the widget renders)."""


def thin(values: Sequence[float]) -> list[float]:
    """Every k-th value (and the last) so that at most MAX_POINTS remain."""
    values = list(values)
    step = -(-len(values) // MAX_POINTS)  # ceiling division
    if step <= 1:
        return values
    picked = values[::step]
    # The last value (the run's end) is always drawn.
    return picked if (len(values) - 1) % step == 0 else [*picked[:-1], values[-1]]


LABEL_MARGIN = 10
"""Cells of a bar chart's width not under its bars (y axis labels, frame), at most."""
LABEL_GAP = 2
"""Blank cells at least between two category labels (plotext places them by rounding)."""


class LineChart(PlotextPlot):
    """Several named series over a shared x axis (months)."""

    def show_series(self, title: str, series: Mapping[str, Series], xlabel: str = "",
                    bands: Mapping[str, Band] | None = None) -> None:
        """Draw `series` (name -> (x, y)); `bands` (name -> (x, low, high)) as dotted bounds."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        bands = bands or {}
        peak = max([abs(float(y)) for _x, ys in series.values() for y in ys] or [0.0])
        exponent = next((e for e in (9, 6, 3) if peak >= 10**e), 0)
        scale = 10.0**exponent
        plt.title(title + (f" (×10{_superscript(exponent)})" if exponent else ""))
        plt.xlabel(xlabel)
        for name, (xs, ys) in series.items():
            if len(xs):
                plt.plot(thin(xs), [y / scale for y in thin(ys)], label=name, marker="braille")
        for name, (xs, low, high) in bands.items():
            if len(xs):
                plt.plot(thin(xs), [y / scale for y in thin(low)], label=f"{name} p10",
                         marker="dot")
                plt.plot(thin(xs), [y / scale for y in thin(high)], label=f"{name} p90",
                         marker="dot")
        self.refresh()


class BarChart(PlotextPlot):
    """Bars per category, optionally several groups side by side."""

    labels: list[str] = []

    def show_bars(self, title: str, labels: Sequence[str],
                  groups: Mapping[str, Sequence[float]]) -> None:
        """Draw one bar per label for each group (name -> values aligned with labels)."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        self.labels = list(labels) if groups else []
        if labels and groups:
            if len(groups) == 1:
                plt.bar(list(labels), list(next(iter(groups.values()))))
            else:
                plt.multiple_bar(list(labels), [list(v) for v in groups.values()],
                                 labels=list(groups))
        self.refresh()

    def render(self):
        """The plot, with as many category labels as fit the width, picked left to right.

        plotext drops overlapping tick labels in the order of a set, which changes with
        Python's string hashing from one run to the next; labels that never overlap are
        drawn the same every time.
        """
        if self.labels:
            count = len(self.labels)
            canvas = max(self.size.width - LABEL_MARGIN, 1)  # less the y axis and frame
            picked, free_from = [], 0.0
            for position, label in enumerate(self.labels, start=1):
                centre = (position - 0.5) / count * canvas
                if centre - len(label) / 2 >= free_from:
                    picked.append(position)
                    free_from = centre + len(label) / 2 + LABEL_GAP
            self.plt.xticks(picked, [self.labels[p - 1] for p in picked])
        return super().render()


def _superscript(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
