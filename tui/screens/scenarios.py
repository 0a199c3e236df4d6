"""Scenarios: the shipped and the user's scenario files, and a form to edit one.

Every keystroke is validated by the simulator's scenario model; problems show under the
field and in the summary, with the messages `simulator run` prints. Save keeps comments.
"""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len
from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui import i18n
from tui.data.field_labels import section_title
from tui.data.scenario_form import DraftError, FormField, FormGroup, ScenarioDraft
from tui.data.workspace import shipped_scenarios
from tui.dialogs.confirm import ConfirmDialog
from tui.i18n import N_, _
from tui.screens.base import MainScreen


class ScenariosScreen(MainScreen):
    """File list on the left, the open scenario's form on the right."""

    AUTO_FOCUS = "#scenario-files"
    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), id="scenario.save"),
        Binding("escape", "focus_files", N_("Files"), id="scenario.files"),
        Binding("f", "focus_form", N_("Edit form"), id="scenario.form"),
        Binding("n", "new_firm", N_("New firm"), id="scenario.new_firm"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[FormField] = []
        self.groups: list[FormGroup] = []
        self.file_paths: dict[str, Path] = {}

    def compose_body(self) -> ComposeResult:
        """Files left, form right."""
        with Horizontal(classes="split"):
            yield OptionList(id="scenario-files", classes="side")
            with Vertical(id="scenario-pane"):
                yield Static(id="scenario-title", classes="banner")
                yield Static(id="scenario-summary")
                yield VerticalScroll(id="scenario-form")

    def on_mount(self) -> None:
        """List the files and open the workspace's scenario."""
        super().on_mount()
        self.list_files()
        self.query_one("#scenario-title", Static).update(_("Loading…"))
        # The form (dozens of inputs) is built after the first frame is on screen.
        self.call_after_refresh(self.open_initial)

    async def open_initial(self) -> None:
        """Open the workspace's scenario (or show the one already open)."""
        workspace = self.strategy_app.workspace
        if workspace.draft is None and workspace.scenario_path is not None:
            await self.open_file(workspace.scenario_path)
        else:
            await self.show_draft()

    def after_recompose(self) -> None:
        """Refill after a language change."""
        self.list_files()
        self.call_after_refresh(self.show_draft)

    def list_files(self) -> None:
        """Shipped scenarios, then the user's."""
        files = self.query_one("#scenario-files", OptionList)
        files.clear_options()
        self.file_paths = {}
        user = self.strategy_app.workspace.user_scenarios()
        for heading, paths in ((_("Shipped"), shipped_scenarios()), (_("Yours"), user)):
            files.add_option(Option(f"[b]{heading}[/b]", disabled=True))
            if not paths:
                files.add_option(Option(_("(none)"), disabled=True))
            for path in paths:
                option_id = f"file-{len(self.file_paths)}"
                self.file_paths[option_id] = path
                files.add_option(Option(path.name, id=option_id))

    @on(OptionList.OptionSelected, "#scenario-files")
    async def file_chosen(self, event: OptionList.OptionSelected) -> None:
        """Open the chosen file, asking first when edits would be lost."""
        path = self.file_paths.get(event.option.id or "")
        draft = self.strategy_app.workspace.draft
        if path is None:
            return
        if draft is not None and draft.dirty:
            question = _("Discard your unsaved changes to {name}?").format(name=draft.path.name)
            self.app.push_screen(ConfirmDialog(question),
                                 lambda yes: self.open_file(path) if yes else None)
        else:
            await self.open_file(path)

    async def open_file(self, path: Path) -> None:
        """Open a scenario file into the form; a file that cannot be read is reported."""
        workspace = self.strategy_app.workspace
        try:
            workspace.draft = ScenarioDraft.open(path)
        except DraftError as error:
            self.notify(str(error), severity="error", title=_("Cannot open"))
            return
        workspace.scenario_path = path
        await self.show_draft()

    async def show_draft(self) -> None:
        """Build the form for the open draft."""
        draft = self.strategy_app.workspace.draft
        form = self.query_one("#scenario-form", VerticalScroll)
        await form.remove_children()
        if draft is None:
            self.query_one("#scenario-title", Static).update(_("No scenario open."))
            return
        self.groups = draft.groups()
        self.fields = [field for group in self.groups for field in group.fields]
        # One label column as wide as the longest label: labels whole, values aligned.
        # In terminal cells: a Chinese label is twice as wide as its length.
        width = max((cell_len(field.label) for field in self.fields), default=0) + 1
        rows = []
        index = 0  # a field's position in self.fields, in its widgets' ids
        for number, group in enumerate(self.groups):
            rows.append(Static(self.group_title(group), id=f"group-{number}",
                               classes="form-group"))
            for field in group.fields:
                label = Label(field.label, classes="field-label")
                label.styles.width = width
                value = Input(draft.text_of(field), id=f"field-{index}", classes="field-input",
                              compact=True)
                problem = Static("", id=f"problem-{index}", classes="field-problem")
                problem.styles.padding = (0, 1, 0, width + 1)
                rows += [Horizontal(label, value, classes="field-line"), problem]
                index += 1
        await form.mount_all(rows)
        self.show_problems()

    def group_title(self, group: FormGroup) -> str:
        """A group's heading: the scenario, a [section] of the file, or a firm by its name."""
        if not group.key:
            return _("Scenario")
        if group.key[0] == "firms" and len(group.key) == 2:
            draft = self.strategy_app.workspace.draft
            return _("Firm {number}: {name}").format(
                number=i18n.fmt_number(int(group.key[1]) + 1),
                name=draft.firm_name(int(group.key[1])) if draft else "")
        return section_title(group.key)  # escaped: "[compute]" is not Textual markup

    @on(Input.Changed, ".field-input")
    def field_changed(self, event: Input.Changed) -> None:
        """Validate as the user types."""
        draft = self.strategy_app.workspace.draft
        index = int((event.input.id or "field--1").removeprefix("field-"))
        if draft is None or not 0 <= index < len(self.fields):
            return
        field = self.fields[index]
        if draft.text_of(field) == event.value:
            return  # the form being filled, not an edit
        draft.set_text(field, event.value)
        self.show_problems()

    def show_problems(self) -> None:
        """Each field's problems under it; all of them in the summary."""
        draft = self.strategy_app.workspace.draft
        if draft is None:
            return
        problems = {str(index): draft.problems_for(field)
                    for index, field in enumerate(self.fields)}
        warnings = {str(index): draft.warnings_for(field)
                    for index, field in enumerate(self.fields)}
        # One query per kind, not per field: a query walks the whole screen, and a shipped
        # scenario has a hundred fields or more.
        for widget in self.query(".field-problem").results(Static):
            key = (widget.id or "").removeprefix("problem-")
            found = problems.get(key) or warnings.get(key, [])
            widget.update("\n".join(found))
            widget.set_class(bool(found), "visible")
            widget.set_class(not problems.get(key) and bool(found), "warning")
        for widget in self.query(".field-input"):
            found = problems.get((widget.id or "").removeprefix("field-"), [])
            widget.set_class(bool(found), "-invalid")
        for number, group in enumerate(self.groups):
            if group.key[:1] == ("firms",):  # a firm's heading follows edits of its name
                self.query_one(f"#group-{number}", Static).update(self.group_title(group))
        marker = _(" (modified)") if draft.dirty else ""
        self.query_one("#scenario-title", Static).update(f"{draft.path.name}{marker}")
        summary = self.query_one("#scenario-summary", Static)
        if draft.problems:
            summary.update(_("Problems: {count}; fix them to run:").format(
                count=i18n.fmt_number(len(draft.problems))) + "\n" + "\n".join(draft.problems))
            summary.set_class(True, "error")
        else:
            scenario = draft.scenario
            text = _("Valid: firms {firms}, markets {markets}, months {months}. "
                     "Press r to run.").format(firms=i18n.fmt_number(len(scenario.firms)),
                                               markets=i18n.fmt_number(len(scenario.markets)),
                                               months=i18n.fmt_number(scenario.months))
            if draft.warnings:
                text = _("Runs, with {count} warnings (a figure falls back):").format(
                    count=i18n.fmt_number(len(draft.warnings))) + "\n" + "\n".join(
                    escape(w) for w in draft.warnings)
            summary.update(text)
            summary.set_class(False, "error")
            summary.set_class(bool(draft.warnings), "warning")

    def commands(self):
        """Palette commands of this screen."""
        from textual.app import SystemCommand

        yield SystemCommand(_("save: the open scenario"), _("Write it back, comments kept"),
                            self.action_save)
        yield SystemCommand(_("new: your own firm"),
                            _("Describe it and get a scenario with it among the rivals"),
                            self.action_new_firm)

    def action_save(self) -> None:
        """Save the draft back to its file (comments kept)."""
        draft = self.strategy_app.workspace.draft
        if draft is None:
            return
        workspace = self.strategy_app.workspace
        source = draft.path
        try:
            target = draft.save(workspace.save_path(source))
        except OSError as error:
            self.notify(str(error), severity="error", title=_("Cannot save"))
            return
        workspace.scenario_path = target
        self.list_files()
        self.show_problems()
        if target == source:
            self.notify(_("Saved {name}.").format(name=target.name))
        else:
            self.notify(_("Saved as {path}: {name} is a shipped scenario's name, never "
                          "written over.").format(path=target, name=source.name))

    def action_new_firm(self) -> None:
        """The firm wizard: a new scenario with the user's firm among the open one's firms."""
        from simulator.scenario.firm_cli import model_families, profile_tokenizers
        from tui.dialogs.firm_wizard import FirmWizard

        workspace = self.strategy_app.workspace
        base = workspace.scenario_path
        if base is None or workspace.draft is None or workspace.draft.scenario is None:
            self.notify(_("Open a scenario without problems first: the firm joins it."),
                        severity="warning")
            return
        if workspace.draft.dirty:
            self.notify(_("Save your edits first (ctrl+s): the firm joins the scenario as "
                          "saved."), severity="warning")
            return
        wizard = FirmWizard(base, profile_tokenizers(base), model_families(None),
                            workspace.user_dir / "scenarios",
                            {p.name for p in shipped_scenarios()})
        self.app.push_screen(wizard, self.firm_written)

    async def firm_written(self, path: Path | None) -> None:
        """Open the new scenario in the form."""
        if path is None:
            return
        await self.open_file(path)
        self.list_files()
        self.notify(_("Saved {name} with your firm; r runs it, 6 gives advice.").format(
            name=path.name))

    def action_focus_files(self) -> None:
        """Back to the file list."""
        self.query_one("#scenario-files", OptionList).focus()

    def action_focus_form(self) -> None:
        """Into the form's first field."""
        inputs = self.query(".field-input")
        if inputs:
            inputs.first().focus()
