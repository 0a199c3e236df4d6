"""The help screen: what each screen is for and every key binding."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Markdown

from tui.i18n import N_, _

HELP_TEXT = N_(
    "# Help\n\n"
    "**Scenarios**: pick a shipped or your own scenario file and edit it; problems are shown "
    "as you type, with the same messages as `simulator run`. Save keeps your comments.\n\n"
    "**Run**: runs the open scenario (r) in a background process with a progress bar "
    "(c cancels), then draws users, share, revenue and cash per firm, for all markets or a "
    "region; the report is written as Parquet like `simulator run --out`.\n\n"
    "**Results**: open a report (one run or a batch), pick two runs or strategies and compare.\n\n"
    "**World**: countries with CAGE distance from a home country; choose one for its market "
    "over time in the open report.\n\n"
    "**Hub**: trained models per region and their per-language figures; export a region; "
    "with no model trained, the shipped technology profile.\n\n"
    "Press ctrl+p for the command palette. Rebind any key by its id below with "
    "`intl-strategy --keymap FILE` (a TOML file of id = \"keys\"). Keys:"
)


class HelpScreen(ModalScreen[None]):
    """Lists the screens' purposes and the app's bindings active where help was opened."""

    BINDINGS = [Binding("escape,q,f1,question_mark", "close", N_("Close"), id="help.close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        """The text and a key table."""
        with VerticalScroll(id="help"):
            yield Markdown(_(HELP_TEXT))
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        """Fill the key table from the screen's and the app's bindings."""
        table = self.query_one(DataTable)
        table.add_columns(_("Key"), _("Action"), _("Binding id"))
        seen: set[str] = set()
        for key, active in self.under.active_bindings.items():
            binding = active.binding
            if not binding.id or not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            table.add_row(self.app.get_key_display(binding) or key, binding.description,
                          binding.id or "")

    def action_close(self) -> None:
        """Back to the app."""
        self.dismiss(None)
