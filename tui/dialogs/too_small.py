"""The notice shown while the terminal is smaller than the app needs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.i18n import _

MIN_WIDTH = 80
MIN_HEIGHT = 24


class TooSmallNotice(ModalScreen[None]):
    """Covers the app until the terminal is at least MIN_WIDTH x MIN_HEIGHT."""

    def compose(self) -> ComposeResult:
        """The notice with the current and the needed size."""
        with Middle():
            yield Center(Static(id="too-small-text"))

    def on_mount(self) -> None:
        """Show the sizes."""
        self.update_size()

    def on_resize(self) -> None:
        """Keep the sizes current."""
        self.update_size()

    def update_size(self) -> None:
        """Say how big the terminal is and how big it must be."""
        width, height = self.app.size
        self.query_one("#too-small-text", Static).update(
            _("The terminal is too small: {width} x {height}.\n"
              "Make it at least {min_width} x {min_height}, or press ctrl+q to quit.").format(
                width=width, height=height, min_width=MIN_WIDTH, min_height=MIN_HEIGHT
            )
        )
