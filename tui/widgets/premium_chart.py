"""A chart of one language's token premium under several tokenizers, with intervals."""

from __future__ import annotations

from collections.abc import Sequence

from tui import i18n
from tui.widgets.chart import BarChart

Bar = tuple[str, float, float | None, float | None]
"""(label, premium, 95% low, 95% high); no interval where it is not known."""


class PremiumChart(BarChart):
    """A BarChart that can also draw one horizontal bar per tokenizer.

    Horizontal, so every tokenizer's name fits, each with its value (no frame, no x axis:
    the rows go to the bars); a 95% interval is a line along its bar's end.
    """

    def show_premiums(self, title: str, bars: Sequence[Bar]) -> None:
        """Draw `bars`, bottom up, under `title`."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        self.labels = []  # names on the y axis: BarChart's x-label fitting does not apply
        plt.title(title)
        if bars:
            plt.frame(False)
            plt.xfrequency(0)
            names = [f"{label} {i18n.fmt_number(value, 2)}" for label, value, *_ in bars]
            plt.bar(names, [value for _label, value, *_ in bars], orientation="horizontal",
                    width=0.3)
            for position, (_label, _value, low, high) in enumerate(bars, start=1):
                if low is not None and high is not None:
                    plt.plot([low, high], [position, position], marker="braille")
        self.refresh()
