"""The firm wizard: describe your own firm and get a scenario with it among the rivals.

The TUI's `simulator firm new`: the same questions (name, home, model, cash, talent,
footprint) answered in human units ("$1B", "30B", "1.2K", "2025-12"), the tokenizer picked
from the profile's production tokenizers and the model family from the published quality
table, every answer checked as typed (`tui.data.firm_form`), the figures read back, and a
warning where a figure falls back. Saved as a new file in the user's scenarios folder,
never over a shipped name nor an existing file; dismisses with the file written.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from tui.data.firm_form import NO_FAMILY, QUESTIONS, FirmAnswers, file_name, read_answers
from tui.i18n import N_, _


class FirmWizard(ModalScreen[Path | None]):
    """Questions about the firm; Save writes the new scenario and returns its path."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="wizard.cancel"),
        Binding("ctrl+s", "save", N_("Save"), id="wizard.save"),
    ]

    def __init__(self, base: Path, tokenizers: list[str], families: list[str], folder: Path,
                 shipped_names: set[str]) -> None:
        """Ask about a firm joining the scenario `base`; save into `folder`."""
        super().__init__()
        self.base, self.folder, self.shipped_names = base, folder, shipped_names
        self.tokenizers, self.families = tokenizers, families
        self.answers = FirmAnswers()
        self.file_edited = False

    def compose(self) -> ComposeResult:
        """One line per question, the notes, the buttons."""
        with Vertical(id="wizard"):
            yield Static(_("A new firm joins {base}: answer in your own units ($1B, 30B, "
                           "1.2K, 2025-12).").format(base=self.base.name), classes="banner")
            with VerticalScroll(id="wizard-form"):
                for key, label, example in QUESTIONS[:3]:
                    yield self.question(key, label, example)
                yield self.choice("tokenizer", N_("Model: tokenizer (the profile's)"),
                                  self.tokenizers, self.tokenizers[0] if self.tokenizers
                                  else Select.BLANK)
                yield self.choice("family", N_("Model: family (quality)"), self.families,
                                  NO_FAMILY)
                for key, label, example in QUESTIONS[3:]:
                    yield self.question(key, label, example)
            yield Static(id="wizard-notes")
            with Horizontal(id="wizard-buttons"):
                yield Button(_("Save"), variant="primary", id="wizard-save")
                yield Button(_("Cancel"), id="wizard-cancel")

    def question(self, key: str, label: str, example: str) -> Horizontal:
        """A label and an input with an example as its placeholder."""
        return Horizontal(Label(_(label), classes="wizard-label"),
                          Input(placeholder=example, id=f"wizard-{key}", compact=True),
                          classes="wizard-line")

    def choice(self, key: str, label: str, options: list[str], value: object) -> Horizontal:
        """A label and a picker of what the data offers."""
        return Horizontal(Label(_(label), classes="wizard-label"),
                          Select([(o, o) for o in options], value=value, id=f"wizard-{key}",
                                 allow_blank=not options, compact=True),
                          classes="wizard-line")

    def on_mount(self) -> None:
        """Start at the name; show what is still missing."""
        self.query_one("#wizard-name", Input).focus()
        self.check()

    def texts(self) -> dict[str, str]:
        """The answers as typed."""
        return {key: self.query_one(f"#wizard-{key}", Input).value for key, *_rest in QUESTIONS}

    @on(Input.Changed)
    @on(Select.Changed)
    def answered(self, event: Input.Changed | Select.Changed) -> None:
        """Check again; the file name follows the firm's name until the user edits it."""
        if event.control.id == "wizard-file" and event.value != self.suggested():
            self.file_edited = True
        if event.control.id == "wizard-name" and not self.file_edited:
            self.query_one("#wizard-file", Input).value = self.suggested()
        self.check()

    def suggested(self) -> str:
        """The file name the firm's name suggests."""
        return file_name(self.query_one("#wizard-name", Input).value)

    def check(self) -> None:
        """Problems in red, else the figures as read and the warnings."""
        tokenizer = self.query_one("#wizard-tokenizer", Select).value
        family = self.query_one("#wizard-family", Select).value
        self.answers = read_answers(self.texts(), "" if tokenizer is Select.BLANK else
                                    str(tokenizer), "" if family is Select.BLANK else str(family),
                                    self.tokenizers)
        notes = self.query_one("#wizard-notes", Static)
        lines = self.answers.problems or [
            _("Reads as: {figures}.").format(figures=", ".join(self.answers.readback)),
            *(_("Warning: {text}").format(text=w) for w in self.answers.warnings)]
        notes.update("\n".join(lines))
        notes.set_class(bool(self.answers.problems), "error")

    @on(Button.Pressed, "#wizard-save")
    def action_save(self) -> None:
        """Write the new scenario; stay open with the reason when it cannot be written."""
        from plumbing.errors import InputError
        from tui.data.firm_form import write_firm_scenario

        self.check()
        if self.answers.problems:
            self.notify(_("Fix the answers in red first."), severity="error")
            return
        # A name only: the file goes into the user's scenarios folder, nowhere else.
        name = Path(self.query_one("#wizard-file", Input).value.strip()).name or self.suggested()
        out = self.folder / (name if name.endswith(".toml") else f"{name}.toml")
        try:
            written = write_firm_scenario(self.base, self.answers, out, self.shipped_names)
        except (FileExistsError, InputError, OSError) as error:
            self.notify(str(error), severity="error", title=_("Cannot save"))
            return
        self.dismiss(written)

    @on(Button.Pressed, "#wizard-cancel")
    def action_cancel(self) -> None:
        """Close without writing."""
        self.dismiss(None)
