"""The help screen: what each screen is for and every key binding."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Markdown

from tui.i18n import N_, _
from tui.modes import SCREENS

HEADING = N_("# Help")
KEYS = N_("Press ctrl+p for the command palette. Rebind any key by its id below with "
          "`intl-strategy --keymap FILE` (a TOML file of id = \"keys\"). Keys:")


def help_text() -> str:
    """The help page in the UI language: a paragraph per main screen, then the keys."""
    return "\n\n".join([_(HEADING), *(_(row.help) for row in SCREENS), _(KEYS)])


class HelpScreen(ModalScreen[None]):
    """Lists the screens' purposes and the app's bindings active where help was opened."""

    BINDINGS = [Binding("escape,q,f1,question_mark", "close", N_("Close"), id="help.close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        """The text and a key table."""
        with VerticalScroll(id="help"):
            yield Markdown(help_text())
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
