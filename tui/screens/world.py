"""World: countries with their market, regulation, talent and CAGE distance from home.

The table sorts by any column (select its header, or press `o` to cycle) and filters as
you type; choosing a country shows its detail and, when a report is open, its market over
time per firm. Choosing a firm of the open scenario (`f`) shows every country as the model
sees it for that firm (`tui.screens.world_firm`: market size and growth, rivals, token
premium and language quality, regulation, data residency, distance, the advice's best move),
computed in a child process (`tui.data.country_job`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Select, Static

from tui import i18n
from tui.data.reports import Report, ReportError, firm_series, open_report
from tui.i18n import N_, _
from tui.screens import world_firm
from tui.screens.base import MainScreen
from tui.widgets.chart import LineChart

COLUMNS = (
    ("iso2", N_("Code")), ("name", N_("Country")), ("population", N_("Population")),
    ("gdp_per_capita", N_("GDP per head")), ("languages", N_("Languages")),
    ("eu_member", N_("EU")), ("regulation", N_("Regimes")), ("talent", N_("AI talent")),
    ("cage", N_("CAGE distance")),
)


@dataclass
class WorldRow:
    """One country's figures as shown (raw values, formatted when drawn)."""

    iso2: str
    name: str
    population: int
    gdp_per_capita: float
    languages: str
    eu_member: bool
    regulation: int
    regimes: tuple[str, ...]
    talent: float | None
    cage: float


class WorldLoaded(Message):
    """The countries, their CAGE distances and curated tables are ready."""

    def __init__(self, countries: list, cage: object, curated: dict[str, dict[str, object]],
                 report: Report | None, report_error: str | None) -> None:
        super().__init__()
        self.countries, self.cage, self.curated = countries, cage, curated
        self.report, self.report_error = report, report_error


def _curated_by_country(iso2: tuple[str, ...]) -> dict[str, dict[str, object]]:
    """Per country: regulatory regimes (curated table) and AI talent, as the model uses it.

    Regimes are listed per jurisdiction (EU members also get the EU's). Talent is the
    country's share of the world's top-tier AI researchers, the pool share the model hires
    from (`simulator.curated_arrays.talent_arrays`: the latest year's workplace share, group
    rows and the rest of the world spread by GDP), not a row of the table read here anew.
    """
    from simulator.curated_arrays import talent_arrays
    from simulator.world.curated import load_regulation

    regimes: dict[str, list[str]] = {}
    for row in load_regulation():
        names = regimes.setdefault(row.jurisdiction, [])
        if row.regime not in names:
            names.append(row.regime)
    shares, _openness = talent_arrays(iso2)
    researchers = dict(zip(iso2, shares[:, 0].tolist(), strict=True))
    return {"regimes": regimes, "talent": researchers}


class CountriesComputed(Message):
    """The chosen firm's country table, or why not.

    The table is `simulator.reports.attractiveness.CountryTable`.
    """

    def __init__(self, table: object, error: str | None) -> None:
        super().__init__()
        self.table, self.error = table, error


class WorldScreen(MainScreen):
    """Countries table, filter, home country and the chosen country's detail."""

    AUTO_FOCUS = "#world-table"
    BINDINGS = [
        Binding("slash", "focus_filter", N_("Filter"), id="world.filter"),
        Binding("o", "cycle_sort", N_("Sort"), id="world.sort"),
        Binding("h", "focus_home", N_("Home country"), id="world.home"),
        Binding("f", "focus_firm", N_("Countries for a firm"), id="world.firm"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[WorldRow] = []
        self.countries: list = []
        self.cage = None
        self.curated: dict[str, dict[str, object]] = {"regimes": {}, "talent": {}}
        self.report: Report | None = None
        self.home_country = "US"
        self.sort_column = "cage"
        self.sort_reverse = False
        self.firm_table = None  # simulator.reports.attractiveness.CountryTable of the chosen firm
        self.firm_sort, self.firm_reverse = "revenue_potential", True

    def compose_body(self) -> ComposeResult:
        """Filter and home on top, table left, detail right."""
        with Horizontal(classes="toolbar"):
            yield Input(placeholder=_("Filter by name, code or language"), id="world-filter",
                        compact=True)
            yield Select([], prompt=_("Home country"), id="world-home", compact=True)
            yield Select([], prompt=_("Countries for a firm"), id="world-firm", compact=True)
        with Horizontal(classes="split"):
            yield DataTable(id="world-table", cursor_type="row", zebra_stripes=True)
            with Vertical(id="world-detail", classes="side"):
                yield Static(_("Loading countries…"), id="world-info")
                yield LineChart(id="world-chart")

    def on_mount(self) -> None:
        """Load the world in the background, measured from the open scenario's first firm."""
        super().on_mount()
        draft = self.strategy_app.workspace.draft
        if draft is not None and draft.scenario is not None and draft.scenario.firms:
            self.home_country = draft.scenario.firms[0].home
        self.offer_firms()
        self.load_world()

    def offer_firms(self) -> None:
        """The firm picker offers the firms of the scenario open in the workspace."""
        draft = self.strategy_app.workspace.draft
        firms = [f.name for f in draft.scenario.firms] if (
            draft is not None and draft.scenario is not None) else []
        picker = self.query_one("#world-firm", Select)
        with self.prevent(Select.Changed):
            picker.set_options([(name, name) for name in firms])
            if self.firm_table is not None and self.firm_table.firm in firms:
                picker.value = self.firm_table.firm

    def on_screen_resume(self) -> None:
        """The open scenario may have changed on another screen."""
        self.offer_firms()

    @work(thread=True, exclusive=True, exit_on_error=False, group="countries",
          description="country attractiveness")
    def compute_countries(self, firm: str) -> None:
        """The firm's country table from a child process (the model runs once there)."""
        from plumbing.errors import InputError
        from tui.data.country_job import country_table_in_process

        workspace = self.strategy_app.workspace
        try:
            table = country_table_in_process(workspace.scenario_path, firm,
                                             workspace.reports_dir)
        except (InputError, OSError, ValueError, KeyError) as error:
            self.post_message(CountriesComputed(None, str(error)))
        else:
            self.post_message(CountriesComputed(table, None))

    def on_countries_computed(self, message: CountriesComputed) -> None:
        """Show the firm's countries (or say why not)."""
        if message.error:
            self.notify(message.error, severity="error", title=_("Cannot compute"))
            return
        self.firm_table = message.table
        self.refill()
    def after_recompose(self) -> None:
        """Refill after a language change."""
        if self.countries:
            self.show_world()

    @work(thread=True, exclusive=True, exit_on_error=False, group="world",
          description="load countries")
    def load_world(self) -> None:
        """Countries, CAGE matrices, curated tables and the open report, off the UI thread."""
        from simulator.world.cage import cage_matrices
        from simulator.world.countries import load_countries

        countries = load_countries()
        cage = cage_matrices(countries)
        curated = _curated_by_country(tuple(c.iso2 for c in countries))
        report, error = None, None
        path = self.strategy_app.workspace.report_path
        if path is not None:
            try:
                report = open_report(path)
            except ReportError as problem:
                error = str(problem)
        self.post_message(WorldLoaded(countries, cage, curated, report, error))

    def on_world_loaded(self, message: WorldLoaded) -> None:
        """Show what was loaded."""
        self.countries, self.cage, self.curated = message.countries, message.cage, message.curated
        self.report = message.report
        if message.report_error:
            self.notify(message.report_error, severity="warning")
        self.show_world()

    def show_world(self) -> None:
        """Fill the home selector and the table."""
        home = self.query_one("#world-home", Select)
        options = sorted(((f"{i18n.territory_name(c.iso2)} ({c.iso2})", c.iso2)
                          for c in self.countries), key=lambda o: o[0])
        with self.prevent(Select.Changed):
            home.set_options(options)
            home.value = self.home_country
        self.build_rows()

    def build_rows(self) -> None:
        """Compute the rows for the current home country."""
        index = {code: i for i, code in enumerate(self.cage.iso2)}  # type: ignore[attr-defined]
        home = index.get(self.home_country, 0)
        combined = self.cage.combined  # type: ignore[attr-defined]
        regimes, talent = self.curated["regimes"], self.curated["talent"]
        self.rows = []
        for c in self.countries:
            applying = tuple(regimes.get(c.iso2, [])) + (
                tuple(regimes.get("EU", [])) if c.eu_member else ())
            self.rows.append(WorldRow(
                iso2=c.iso2, name=i18n.territory_name(c.iso2), population=c.population,
                gdp_per_capita=c.gdp_per_capita,
                languages=", ".join(code for code, _share in c.languages[:3]),
                eu_member=c.eu_member,
                regulation=len(applying), regimes=applying, talent=talent.get(c.iso2),
                cage=float(combined[home, index[c.iso2]]),
            ))
        self.refill()

    def refill(self) -> None:
        """Redraw the table with the filter and sort applied."""
        if self.firm_table is not None:
            self.refill_firm()
            return
        table = self.query_one("#world-table", DataTable)
        needle = self.query_one("#world-filter", Input).value.strip().lower()
        rows = [r for r in self.rows if not needle or needle in
                f"{r.iso2} {r.name} {r.languages}".lower()]
        rows.sort(key=lambda r: _sort_value(getattr(r, self.sort_column)),
                  reverse=self.sort_reverse)
        table.clear(columns=True)
        for key, label in COLUMNS:
            marker = (" ▼" if self.sort_reverse else " ▲") if key == self.sort_column else ""
            # Long names (South Georgia & South Sandwich Islands) are cut, not the figures.
            table.add_column(_(label) + marker, key=key, width=22 if key == "name" else None)
        for r in rows:
            table.add_row(
                r.iso2, r.name, i18n.fmt_compact(r.population), i18n.fmt_money(r.gdp_per_capita,
                compact=True), r.languages, _("yes") if r.eu_member else "",
                i18n.fmt_number(r.regulation) if r.regulation else "",
                i18n.fmt_percent(r.talent, 0) if r.talent is not None else "",
                i18n.fmt_number(r.cage, 2), key=r.iso2,
            )
        self.query_one("#world-info", Static).update(
            _("Countries: {shown} of {total}; distance from {home}.").format(
                shown=i18n.fmt_number(len(rows)), total=i18n.fmt_number(len(self.rows)),
                home=i18n.territory_name(self.home_country)))

    def refill_firm(self) -> None:
        """The chosen firm's countries, filtered and sorted (missing figures last)."""
        from simulator.reports.attractiveness import sort_rows

        found, table = self.firm_table, self.query_one("#world-table", DataTable)
        needle = self.query_one("#world-filter", Input).value.strip().lower()
        rows = [r for r in found.rows if not needle or needle in
                f"{r.iso2} {i18n.territory_name(r.iso2)}".lower()]
        rows = (sorted(rows, key=lambda r: i18n.territory_name(r.iso2), reverse=self.firm_reverse)
                if self.firm_sort == "name" else sort_rows(rows, self.firm_sort,
                                                           self.firm_reverse))
        table.clear(columns=True)
        for key, label in world_firm.FIRM_COLUMNS:
            marker = (" ▼" if self.firm_reverse else " ▲") if key == self.firm_sort else ""
            table.add_column(_(label) + marker, key=key, width=22 if key == "name" else None)
        for r in rows:
            table.add_row(*world_firm.cells(r), key=r.iso2)
        self.query_one("#world-info", Static).update(escape(
            _("{firm}: {shown} of {total} countries as the model sees them ({scenario}, "
              "{months} months).").format(
                firm=found.firm, shown=i18n.fmt_number(len(rows)),
                total=i18n.fmt_number(len(found.rows)), scenario=found.scenario,
                months=i18n.fmt_number(found.months))))

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter as the user types."""
        if event.input.id == "world-filter" and self.rows:
            self.refill()

    def on_select_changed(self, event: Select.Changed) -> None:
        """Measure distances from another home country."""
        if event.select.id == "world-firm":
            if isinstance(event.value, str):
                self.query_one("#world-info", Static).update(escape(_(
                    "Computing every country for {firm} (the model runs the status quo once)…"
                ).format(firm=event.value)))
                self.compute_countries(event.value)
            elif self.firm_table is not None:  # cleared: back to the world's figures
                self.firm_table = None
                self.refill()
            return
        if event.select.id == "world-home" and isinstance(event.value, str):
            self.home_country = event.value
            if self.cage is not None:
                self.build_rows()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """Sort by the chosen column; choosing it again reverses the order."""
        key = str(event.column_key.value)
        if self.firm_table is not None:
            self.firm_reverse = (not self.firm_reverse if key == self.firm_sort
                                 else key in world_firm.DESCENDING)
            self.firm_sort = key
            self.refill()
            return
        self.sort_reverse = not self.sort_reverse if key == self.sort_column else False
        self.sort_column = key
        self.refill()

    def action_cycle_sort(self) -> None:
        """Sort by the next column."""
        if self.firm_table is not None:
            keys = [key for key, _label in world_firm.FIRM_COLUMNS]
            self.firm_sort = keys[(keys.index(self.firm_sort) + 1) % len(keys)]
            self.firm_reverse = self.firm_sort in world_firm.DESCENDING
            self.refill()
            return
        keys = [key for key, _label in COLUMNS]
        self.sort_column = keys[(keys.index(self.sort_column) + 1) % len(keys)]
        self.sort_reverse = self.sort_column in ("population", "gdp_per_capita", "talent")
        if self.rows:
            self.refill()

    def action_focus_filter(self) -> None:
        """Type a filter."""
        self.query_one("#world-filter", Input).focus()

    def action_focus_firm(self) -> None:
        """Choose the firm whose countries to show."""
        self.query_one("#world-firm", Select).focus()

    def action_focus_home(self) -> None:
        """Choose the home country."""
        self.query_one("#world-home", Select).focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Show the highlighted country's detail."""
        if event.data_table.id == "world-table" and event.row_key.value:
            self.show_country(str(event.row_key.value))

    def show_country(self, iso2: str) -> None:
        """The country's figures and, with a report open, its market per firm over time."""
        if self.firm_table is not None:
            row = next((r for r in self.firm_table.rows if r.iso2 == iso2), None)
            if row is not None:
                self.query_one("#world-info", Static).update(
                    "\n".join(escape(line) for line in world_firm.detail(row, self.firm_table)))
            return
        row = next((r for r in self.rows if r.iso2 == iso2), None)
        if row is None:
            return
        lines = [
            f"[b]{row.name}[/b] ({row.iso2})",
            _("Population: {value}").format(value=i18n.fmt_number(row.population)),
            _("GDP per head: {value}").format(value=i18n.fmt_money(row.gdp_per_capita)),
            _("Languages: {value}").format(value=row.languages),
            _("Regulation: {value}").format(value="; ".join(row.regimes) or _("none curated")),
            _("CAGE distance from {home}: {value}").format(
                home=self.home_country, value=i18n.fmt_number(row.cage, 2)),
        ]
        chart = self.query_one("#world-chart", LineChart)
        series = {} if self.report is None else firm_series(
            self.report.timeseries, self.report.firm_months, self.report.run_ids()[0], "users",
            {iso2})
        if self.report is None:
            lines.append(_("Open a report (Results screen) or run a scenario to see its market."))
        elif not series:
            lines.append(_("No firm is present here in the open report."))
        self.query_one("#world-info", Static).update("\n".join(lines))
        chart.show_series(_("Users in {country}").format(country=row.name),
                          {f: (s.index, s.values) for f, s in series.items()}, _("month"))


def _sort_value(value: object) -> tuple[int, object]:
    # Missing figures sort last whichever the direction of the numbers.
    return (1, 0) if value is None else (0, value)
