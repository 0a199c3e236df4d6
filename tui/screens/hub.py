"""Hub: the registry's models per region with their per-language figures, and export.

With no model trained it shows the shipped technology profile and how to train and
export. Export runs what `hub export` runs (hub.serving.export) in a worker thread, its
steps shown live.
While the token premium is charted and the profile has production tokenizer rows, the
right chart shows the highlighted language's premium under the region's model, the global
model and each production tokenizer (`PremiumChart`, with the 95% intervals).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Log, OptionList, Static

from tui import i18n
from tui.data.hub_figures import FIGURES, premium_bars
from tui.i18n import N_, _
from tui.screens.base import MainScreen
from tui.widgets.chart import BarChart
from tui.widgets.premium_chart import PremiumChart

if TYPE_CHECKING:
    import pandas as pd

FIGURE_LABELS = {
    "bits_per_char": N_("Bits per character"),
    "token_premium_vs_en": N_("Token premium vs English"),
    "usd_per_1m_chars": N_("USD per million characters"),
    "latency_ms_per_token": N_("Latency, ms per token"),
}
HOW_TO_TRAIN = N_(
    "No model is trained in {home}. These are the shipped technology profile's figures.\n"
    "To train and export a region's model:\n"
    "  hub corpus build && hub tokenizer train --region eu && hub train --region eu\n"
    "  hub eval --region eu && hub bench --region eu && hub export --region eu --out bundles/eu"
)


class FiguresLoaded(Message):
    """Per-language figures and where they come from."""

    def __init__(self, figures: pd.DataFrame, source: str, trained: bool,
                 measured_at: str | None = None, error: str | None = None,
                 production: pd.DataFrame | None = None) -> None:
        super().__init__()
        self.figures, self.source, self.trained = figures, source, trained
        self.measured_at, self.error, self.production = measured_at, error, production


class ExportStep(Message):
    """A step the export worker began, or the reason it stopped, for the log."""

    def __init__(self, line: str) -> None:
        super().__init__()
        self.line = line


class ExportEnded(Message):
    """The export worker ended; `exit_code` is what `hub export` would exit with (0 done)."""

    def __init__(self, region: str, exit_code: int) -> None:
        super().__init__()
        self.region, self.exit_code = region, exit_code


class HubScreen(MainScreen):
    """Regions list, per-language table and bar charts, export log."""

    MODE = "hub"
    AUTO_FOCUS = "#hub-regions"
    BINDINGS = [
        Binding("m", "next_figure", N_("Next figure"), id="hub.figure"),
        Binding("e", "export", N_("Export region"), id="hub.serving.export"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.figures: pd.DataFrame | None = None
        self.source = ""
        self.trained = False
        self.hub_region: str | None = None
        self.figure = FIGURES[0]
        self.measured_at: str | None = None
        self.production: pd.DataFrame | None = None  # production tokenizers' premiums
        self.hub_lang: str | None = None  # the table's highlighted language
        self.premium_labels: list[str] = []  # bars of the production chart, bottom up

    def compose_body(self) -> ComposeResult:
        """Regions left; figures table, charts and export log right."""
        yield Static(_("Loading…"), id="hub-source", classes="banner")
        with Horizontal(classes="split"):
            yield OptionList(id="hub-regions", classes="side-narrow")
            with Vertical():
                yield DataTable(id="hub-table", cursor_type="row", zebra_stripes=True)
                with Horizontal(id="hub-charts"):
                    yield BarChart(id="hub-languages")
                    yield PremiumChart(id="hub-vs-global")
                yield Log(id="hub-log", classes="hidden")

    def on_mount(self) -> None:
        """Read the registry (or the profile) in the background."""
        super().on_mount()
        self.load_figures()

    def after_recompose(self) -> None:
        """Refill after a language change."""
        if self.figures is not None:
            self.show_figures()

    def commands(self):
        """Palette commands of this screen."""
        from textual.app import SystemCommand

        yield SystemCommand(_("export: the selected region"), _("Run hub export in the background"),
                            self.action_export)

    @work(thread=True, exclusive=True, exit_on_error=False, group="hub",
          description="read hub figures")
    def load_figures(self) -> None:
        """Registry metrics when a model is trained, else the shipped profile.

        The production tokenizers' premiums come from the profile either way.
        """
        from tui.data.hub_figures import production_premiums, profile_figures, registry_figures

        workspace = self.strategy_app.workspace
        profile = workspace.profile_path
        try:
            production = production_premiums(profile)
        except (OSError, KeyError, ValueError):
            production = None  # the profile's own error is reported below, if it is shown
        figures = registry_figures(workspace.home)
        if not figures.empty:
            self.post_message(FiguresLoaded(figures, str(workspace.home), True,
                                            production=production))
            return
        if profile is None or not profile.is_file():
            self.post_message(FiguresLoaded(figures, "", False))
            return
        try:
            figures, measured_at = profile_figures(profile)
        except (OSError, KeyError, ValueError) as error:
            self.post_message(FiguresLoaded(figures, "", False, error=_(
                "{path}: not a technology profile ({error})").format(path=profile, error=error)))
            return
        self.post_message(FiguresLoaded(figures, profile.name, False, measured_at,
                                        production=production))

    def on_figures_loaded(self, message: FiguresLoaded) -> None:
        """Keep and show the figures."""
        self.figures, self.source, self.trained = message.figures, message.source, message.trained
        self.measured_at, self.production = message.measured_at, message.production
        if message.error:
            self.notify(message.error, severity="error")
        regions = list(dict.fromkeys(self.figures["region"]))
        self.hub_region = self.hub_region if self.hub_region in regions else (
            next((r for r in regions if r != "global"), regions[0] if regions else None))
        self.show_figures()

    def show_figures(self) -> None:
        """Banner, region list, table and charts."""
        home = self.strategy_app.workspace.home
        banner = self.query_one("#hub-source", Static)
        if self.trained:
            banner.update(_("Registered models in {home}").format(home=home.name or str(home)))
        elif self.source:
            measured = _("Profile {name}, measured {date}.").format(
                name=self.source, date=i18n.fmt_date(self.measured_at)) if self.measured_at else ""
            banner.update(measured + "\n" + _(HOW_TO_TRAIN).format(home=home.name or str(home)))
        else:
            banner.update(_("No model is trained and no technology profile is installed."))
        options = self.query_one("#hub-regions", OptionList)
        options.clear_options()
        regions = list(dict.fromkeys(self.figures["region"]))
        options.add_options(regions)
        if self.hub_region in regions:
            options.highlighted = regions.index(self.hub_region)
        self.show_region()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Show the highlighted region."""
        region = str(event.option.prompt)
        if region != self.hub_region:
            self.hub_region = region
            self.show_region()

    def show_region(self) -> None:
        """The region's per-language table and its two bar charts."""
        table = self.query_one("#hub-table", DataTable)
        table.clear(columns=True)
        table.add_columns(_("Model"), _("Language"), *[_(FIGURE_LABELS[f]) for f in FIGURES])
        if self.figures is None:
            return
        rows = self.figures
        if self.hub_region:
            rows = rows[rows["region"] == self.hub_region]
        for row in rows.itertuples(index=False):
            table.add_row(row.model_id, row.lang, i18n.fmt_number(row.bits_per_char, 3),
                          i18n.fmt_number(row.token_premium_vs_en, 2),
                          i18n.fmt_money(row.usd_per_1m_chars, significant=3),
                          i18n.fmt_number(row.latency_ms_per_token, 2))
        label = _(FIGURE_LABELS[self.figure])
        langs = [str(x) for x in rows["lang"]] if len(rows) else []
        if self.hub_lang not in langs:
            self.hub_lang = langs[0] if langs else None
        values = [float(v) if v == v else 0.0 for v in rows[self.figure]] if len(rows) else []
        self.query_one("#hub-languages", BarChart).show_bars(
            f"{self.hub_region or ''}: {label}", langs, {self.hub_region or "": values})
        self.show_versus_global(rows, label)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Follow the highlighted language in the production tokenizers' chart."""
        if event.data_table.id != "hub-table" or event.cursor_row < 0:
            return
        lang = str(event.data_table.get_row_at(event.cursor_row)[1])
        if lang != self.hub_lang:
            self.hub_lang = lang
            if self.showing_production():
                self.show_production()

    def showing_production(self) -> bool:
        """Whether the right chart shows production tokenizers (premium charted, rows at hand)."""
        return (self.figure == "token_premium_vs_en" and self.production is not None
                and not self.production.empty)

    def show_production(self) -> None:
        """The highlighted language's premium: hub models and production tokenizers."""
        bars = premium_bars(self.figures, self.production, self.hub_region or "",
                            self.hub_lang or "")
        self.premium_labels = [label for label, *_ in bars]
        self.query_one("#hub-vs-global", PremiumChart).show_premiums(
            _("{lang}: premium vs en").format(lang=self.hub_lang or ""), bars)

    def show_versus_global(self, rows: pd.DataFrame, label: str) -> None:
        """The region's model against the global one on the region's languages."""
        if self.showing_production():
            self.show_production()
            return
        chart = self.query_one("#hub-vs-global", BarChart)
        world = self.figures[self.figures["region"] == "global"].set_index("lang")[self.figure]
        if self.hub_region == "global" or world.empty or rows.empty:
            chart.show_bars(_("{figure}: no global model to compare").format(figure=label), [], {})
            return
        langs = [str(x) for x in rows["lang"] if x in world.index]
        own = rows.set_index("lang")[self.figure]
        title = _("{figure}: {region} vs global").format(figure=label, region=self.hub_region)
        chart.show_bars(title,
                        langs, {self.hub_region or "": [float(own[x]) for x in langs],
                                "global": [float(world[x]) for x in langs]})

    def action_next_figure(self) -> None:
        """Chart the next figure."""
        self.figure = FIGURES[(FIGURES.index(self.figure) + 1) % len(FIGURES)]
        self.show_region()

    def action_export(self) -> None:
        """Export the selected region's latest model as a bundle."""
        if not self.trained or not self.hub_region:
            self.notify(_("Train a model first: there is nothing to export."), severity="warning")
            return
        log = self.query_one("#hub-log", Log)
        log.remove_class("hidden")
        log.clear()
        self.run_export(self.hub_region)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export",
          description="hub export")
    def run_export(self, region: str) -> None:
        """The export `hub export --region R` runs (hub.serving.export), its steps streamed."""
        from hub import registry
        from hub.serving.export import default_out, export_bundle
        from plumbing.errors import InputError

        code = 0
        try:
            version = registry.resolve(self.strategy_app.workspace.home, region)
            out = default_out(version, "dir")
            self.post_message(ExportStep(f"{version.model_id} -> {out}"))
            export_bundle(version, out, progress=lambda step: self.post_message(ExportStep(step)))
        except InputError as error:
            code = error.exit_code
            self.post_message(ExportStep(error.message))
        except Exception as error:  # noqa: BLE001 - shown in the log; the app goes on
            code = 1
            self.post_message(ExportStep(f"{type(error).__name__}: {error}"))
        self.post_message(ExportEnded(region, code))

    def on_export_step(self, message: ExportStep) -> None:
        """Show a line of the export's output."""
        self.query_one("#hub-log", Log).write_line(message.line)

    def on_export_ended(self, message: ExportEnded) -> None:
        """Say how the export ended."""
        if message.exit_code == 0:
            self.notify(_("Exported {region}.").format(region=message.region))
        else:
            self.notify(_("Export of {region} failed (exit code {code}).").format(
                region=message.region, code=message.exit_code), severity="error")
