"""A yes/no question before something that loses work (like frogmouth's yes_no_dialog)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from tui.i18n import N_, _


class ConfirmDialog(ModalScreen[bool]):
    """Asks a question; dismisses with True for yes, False for no or escape."""

    BINDINGS = [
        Binding("escape", "answer(False)", N_("Cancel"), id="dialog.cancel"),
        Binding("y", "answer(True)", N_("Yes"), id="dialog.yes", show=False),
        Binding("n", "answer(False)", N_("No"), id="dialog.no", show=False),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        """The question and two buttons."""
        with Vertical(id="dialog"):
            yield Label(self.question, id="question")
            with Horizontal(id="dialog-buttons"):
                yield Button(_("Yes"), variant="error", id="yes")
                yield Button(_("No"), variant="primary", id="no")

    def on_mount(self) -> None:
        """Default to the safe answer."""
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Answer with the button pressed."""
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        """Answer from a key."""
        self.dismiss(answer)
