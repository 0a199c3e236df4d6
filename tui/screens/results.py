"""Results: open reports, pick two runs (or strategies of a batch) and compare them.

The pickers name each choice by scenario, firm(s), date range, months and when it was made
(`tui.data.run_labels`). The KPI table shows each firm's final users, share, revenue over the run
and cash for run A and run B with the difference (a share's in percentage points); two runs
of different horizons are compared over the months they share, and the banner says so.
Charts show a chosen figure over time for both. A batch report also shows uncertainty bands
(10th-90th percentile across its runs, per strategy) and, for Sobol designs, its
sensitivity indices.
"""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Input, Select, Static

from tui import i18n
from tui.data.reports import Report, ReportError, find_reports, open_report
from tui.i18n import N_, _
from tui.screens.base import MainScreen
from tui.widgets.chart import LineChart

KPI_LABELS = {"users": N_("Users"), "share": N_("Share of users"),
              "revenue_total": N_("Revenue, USD"), "revenue": N_("Revenue, USD"),
              "cash": N_("Cash, USD")}
"""Labels of the final KPIs (simulator.reports.aggregates.KPIS) and of the charted figures."""
FIGURES = ("users", "share", "revenue", "cash")
"""Monthly figures of the firm-month table the chart cycles through (revenue: the month's)."""


def format_kpi(kpi: str, value: float | None) -> str:
    """A KPI value in the locale's format."""
    if kpi == "share":
        return i18n.fmt_percent(value)
    if kpi in ("revenue", "revenue_total", "cash"):
        return i18n.fmt_money(value, compact=True)
    return i18n.fmt_compact(value)


class ReportsLoaded(Message):
    """Every report found, read (in the worker: batches are summarised there too)."""

    def __init__(self, reports: list[Report], errors: list[str]) -> None:
        super().__init__()
        self.reports, self.errors = reports, errors


class ResultsScreen(MainScreen):
    """Run pickers, KPI comparison, charts, and batch bands and sensitivity."""

    AUTO_FOCUS = "#results-kpis"
    BINDINGS = [
        Binding("o", "open_report", N_("Open report"), id="results.open"),
        Binding("m", "next_metric", N_("Next figure"), id="results.metric"),
        Binding("x", "swap", N_("Swap A/B"), id="results.swap"),
        Binding("ctrl+r", "reload", N_("Reload"), id="results.reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.reports: list[Report] = []
        self.choices: list[tuple[Report, str]] = []
        self.labels: list[str] = []
        self.metric = "share"

    def compose_body(self) -> ComposeResult:
        """Pickers on top; KPI table and charts below."""
        with Horizontal(classes="toolbar"):
            yield Select([], prompt=_("Run A"), id="results-a", compact=True)
            yield Select([], prompt=_("Run B"), id="results-b", compact=True)
        yield Input(placeholder=_("Report folder to open, then enter"), id="results-path",
                    classes="hidden")
        yield Static(_("Loading reports…"), id="results-status", classes="banner")
        with VerticalScroll(id="results-body"):
            yield DataTable(id="results-kpis", cursor_type="row", zebra_stripes=True)
            with Horizontal(id="results-charts"):
                yield LineChart(id="results-chart")
                yield LineChart(id="results-bands", classes="hidden")
            yield DataTable(id="results-sensitivity", zebra_stripes=True, classes="hidden")

    def commands(self):
        """Palette commands of this screen."""
        from textual.app import SystemCommand

        yield SystemCommand(_("open: a report folder"), _("Type the path of a run or batch"),
                            self.action_open_report)
        yield SystemCommand(_("compare: swap A and B"), _("Swap the two runs compared"),
                            self.action_swap)

    def on_mount(self) -> None:
        """Read the reports in the background."""
        super().on_mount()
        self.load_reports()

    def on_screen_resume(self) -> None:
        """A run may have written a new report since the screen was last shown."""
        self.load_reports()

    def after_recompose(self) -> None:
        """Refill after a language change."""
        self.show_reports()

    @work(thread=True, exclusive=True, exit_on_error=False, group="results",
          description="read reports")
    def load_reports(self) -> None:
        """The open report first, then the others under the reports folder."""
        workspace = self.strategy_app.workspace
        paths = find_reports(workspace.reports_dir)
        if workspace.report_path is not None:
            paths = [workspace.report_path, *[p for p in paths if p.resolve() !=
                                              workspace.report_path.resolve()]]
        reports, errors = [], []
        for path in paths:
            try:
                reports.append(open_report(path))
            except ReportError as error:
                errors.append(str(error))
        self.post_message(ReportsLoaded(reports, errors))

    def on_reports_loaded(self, message: ReportsLoaded) -> None:
        """Offer the runs of every report."""
        self.reports = message.reports
        for error in message.errors:
            self.notify(error, severity="error", title=_("Cannot open report"))
        self.show_reports()

    def show_reports(self) -> None:
        """Fill the pickers: a batch's strategies (medians over their runs), then every run."""
        from tui.data.run_labels import run_label, strategy_label

        self.choices = []
        labels = []
        for report in self.reports:
            for strategy in report.strategies():
                self.choices.append((report, "strategy", strategy))
                labels.append(strategy_label(report, strategy))
            for run_id in report.run_ids():
                self.choices.append((report, "run", run_id))
                labels.append(run_label(report, run_id))
        # Runs of edited versions of one scenario share a label: their run ids (which end
        # in a hash of the scenario's content) tell them apart.
        labels = [f"{label} · {key.rsplit('-', 1)[-1][:6]}" if labels.count(label) > 1
                  else label for label, (_report, _kind, key) in zip(labels, self.choices,
                                                                     strict=True)]
        options = [(label, str(i)) for i, label in enumerate(labels)]
        status = self.query_one("#results-status", Static)
        if not options:
            status.update(_("No report yet: run a scenario (r) or open a report folder (o)."))
            return
        self.labels = labels
        select_a, select_b = self.query_one("#results-a", Select), self.query_one(
            "#results-b", Select)
        keep_a, keep_b = select_a.value, select_b.value
        with self.prevent(Select.Changed):
            select_a.set_options(options)
            select_b.set_options(options)
            values = [v for _label, v in options]
            select_a.value = keep_a if keep_a in values else values[0]
            select_b.value = keep_b if keep_b in values else values[min(1, len(values) - 1)]
        self.compare()

    def chosen(self, select_id: str) -> tuple[Report, str, str] | None:
        """The report and the run or strategy picked in a selector."""
        value = self.query_one(select_id, Select).value
        if isinstance(value, str) and value.isdigit() and int(value) < len(self.choices):
            return self.choices[int(value)]
        return None

    @on(Select.Changed, "#results-a, #results-b")
    def run_chosen(self) -> None:
        """Compare the newly picked runs."""
        self.compare()

    def compare(self) -> None:
        """KPI table, the chosen figure over time, and batch extras."""
        from tui.data.reports import (
            compare_kpis,
            final_kpis,
            firm_series,
            strategy_kpis,
            strategy_series,
        )
        from tui.data.run_labels import common_months, run_span

        a, b = self.chosen("#results-a"), self.chosen("#results-b")
        if a is None or b is None:
            return
        spans = [run_span(report, None if kind == "strategy" else key)
                 for report, kind, key in (a, b)]
        common = common_months(*spans)
        self.describe_pair(spans, common)

        def kpis(choice: tuple[Report, str, str]):
            report, kind, key = choice
            return strategy_kpis(report, key, common) if kind == "strategy" else final_kpis(
                report, key, common)

        def series(choice: tuple[Report, str, str]):
            report, kind, key = choice
            found = strategy_series(report, key, self.metric) if kind == "strategy" else (
                firm_series(report.timeseries, report.firm_months, key, self.metric))
            return {firm: values[values.index <= common] for firm, values in found.items()}

        table = self.query_one("#results-kpis", DataTable)
        table.clear(columns=True)
        table.add_columns(_("Firm"), _("Figure"), "A", "B", _("Change"), _("Change, %"))
        for row in compare_kpis(kpis(a), kpis(b)).itertuples(index=False):
            table.add_row(row.firm, _(KPI_LABELS[row.kpi]), format_kpi(row.kpi, row.a),
                          format_kpi(row.kpi, row.b), _signed(row.kpi, row.delta),
                          i18n.fmt_signed_percent(row.relative))
        lines = {}
        for tag, choice in (("A", a), ("B", b)):
            for firm, values in series(choice).items():
                lines[f"{firm} ({tag})"] = (values.index, values.values)
        self.query_one("#results-chart", LineChart).show_series(
            _("{figure}: A and B").format(figure=_(KPI_LABELS[self.metric])), lines, _("month"))
        self.show_batch(a[0])

    def describe_pair(self, spans: list, common: int) -> None:
        """The banner: what A and B are, and the months they are compared over."""
        from tui.data.run_labels import span_text

        picked = [int(self.query_one(i, Select).value) for i in ("#results-a", "#results-b")]
        lines = [f"A: {self.labels[picked[0]]}", f"B: {self.labels[picked[1]]}"]
        if spans[0].months != spans[1].months:
            lines.append(_("Different horizons: compared over the first {months} months of "
                           "each (A {a}; B {b}).").format(
                months=i18n.fmt_number(common), a=span_text(spans[0]), b=span_text(spans[1])))
        self.query_one("#results-status", Static).update(escape("\n".join(lines)))

    def show_batch(self, report: Report) -> None:
        """Uncertainty bands per strategy and Sobol sensitivity indices of a batch report."""
        for widget_id in ("#results-bands", "#results-sensitivity"):
            self.query_one(widget_id).set_class(not report.is_batch, "hidden")
        if not report.is_batch or report.bands is None:
            return
        # The simulator's analysis gives bands of the focus firm's revenue and share.
        figure = self.metric if self.metric in ("share", "revenue") else "share"
        medians, bands = {}, {}
        for strategy, rows in report.bands.groupby("strategy"):
            months = rows["month"].to_numpy()
            medians[str(strategy)] = (months, rows[f"{figure}_median"].to_numpy())
            bands[str(strategy)] = (months, rows[f"{figure}_p10"].to_numpy(),
                                    rows[f"{figure}_p90"].to_numpy())
        self.query_one("#results-bands", LineChart).show_series(
            _("{firm}: {figure}, median, p10-p90").format(
                figure=_(KPI_LABELS[figure]), firm=report.focus_firm or ""),
            medians, _("month"), bands=bands)
        table = self.query_one("#results-sensitivity", DataTable)
        table.clear(columns=True)
        if report.sensitivity is None or report.sensitivity.empty:
            table.add_column(_("No sensitivity indices (not a Sobol design)."))
            return
        table.add_columns(_("Strategy"), _("Figure"), _("Parameter"), _("First order"),
                          _("Total order"))
        for row in report.sensitivity.itertuples(index=False):
            table.add_row(row.strategy, row.kpi, row.parameter,
                          f"{i18n.fmt_number(row.S1, 2)} ± {i18n.fmt_number(row.S1_conf, 2)}",
                          f"{i18n.fmt_number(row.ST, 2)} ± {i18n.fmt_number(row.ST_conf, 2)}")

    def action_next_metric(self) -> None:
        """Chart the next figure."""
        self.metric = FIGURES[(FIGURES.index(self.metric) + 1) % len(FIGURES)]
        self.compare()

    def action_swap(self) -> None:
        """Swap runs A and B."""
        select_a, select_b = self.query_one("#results-a", Select), self.query_one(
            "#results-b", Select)
        with self.prevent(Select.Changed):
            select_a.value, select_b.value = select_b.value, select_a.value
        self.compare()

    def action_reload(self) -> None:
        """Read the reports again."""
        self.load_reports()

    def action_open_report(self) -> None:
        """Type a report folder's path."""
        path_input = self.query_one("#results-path", Input)
        path_input.remove_class("hidden")
        path_input.focus()

    @on(Input.Submitted, "#results-path")
    def path_submitted(self, event: Input.Submitted) -> None:
        """Open the typed report folder (an unreadable one is reported, nothing else changes)."""
        path = Path(event.value.strip()).expanduser()
        try:
            open_report(path)
        except ReportError as error:
            self.notify(str(error), severity="error", title=_("Cannot open report"))
            return
        self.strategy_app.workspace.report_path = path
        event.input.add_class("hidden")
        self.query_one("#results-a", Select).clear()
        self.load_reports()


def _signed(kpi: str, delta: float) -> str:
    """A change with its sign; a share's in percentage points (+1.8 pp), not in percent."""
    if kpi == "share" and delta == delta:
        points = i18n.fmt_number(abs(delta) * 100, 1)
        return ("+" if delta >= 0 else "−") + _("{points} pp").format(points=points)
    text = format_kpi(kpi, abs(delta))
    return text if text == "—" else ("+" if delta >= 0 else "−") + text
