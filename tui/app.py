"""The `intl-strategy` Textual app: scenarios, runs, results, world and hub in one place.

The main screens are the app's modes, one row each in `tui.modes.SCREENS` (switch with the
number keys, the navigation row or the command palette). They share the app's `Workspace`,
so the scenario, report and hub home the user opened stay open across screens and across a
change of language.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.events import Resize
from textual.screen import Screen
from textual.signal import Signal

from tui import i18n, interrupt
from tui.data.workspace import Workspace
from tui.dialogs.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmallNotice
from tui.i18n import N_, _
from tui.modes import SCREENS, screen_class
from tui.screens.base import translate_bindings
from tui.simulation import SimulationProcess

DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"


class StrategyApp(App[None]):
    """The terminal UI over the simulator and the hub."""

    CSS_PATH = "app.tcss"
    TITLE = "intl-strategy"
    # Each screen's module is imported when the screen is first shown (start-up time).
    MODES = {row.mode: (lambda row=row: row.screen_class()()) for row in SCREENS}
    DEFAULT_MODE = SCREENS[0].mode
    BINDINGS = [
        *(row.binding() for row in SCREENS),
        Binding("r,f5", "run", N_("Run scenario"), id="run.start", priority=False),
        Binding("f1,question_mark", "help", N_("Help"), id="app.help"),
        Binding("l", "switch_locale", N_("Language"), id="app.locale"),
        Binding("t", "toggle_theme", N_("Light/dark"), id="app.theme", show=False),
        Binding("ctrl+q", "quit", N_("Quit"), id="app.quit", priority=True),
    ]

    def __init__(
        self,
        locale: str | None = None,
        home: str | Path | None = None,
        *,
        scenario: str | Path | None = None,
        profile: str | Path | None = None,
        user_dir: str | Path | None = None,
        reports_dir: str | Path | None = None,
        report: str | Path | None = None,
        keymap: dict[str, str] | None = None,
    ) -> None:
        """Open the app.

        Args:
            locale: UI locale (`en`, `zh_Hans`, or a POSIX name); default from the environment.
            home: Hub home (default: $HUB_HOME or ./models).
            scenario: Scenario file to open (default: the shipped default scenario).
            profile: Technology profile shown when no model is trained (default: shipped).
            user_dir: Folder listed for the user's own scenarios (default: current folder).
            reports_dir: Where runs started here write their reports (default: ./runs).
            report: A report folder to open on the results screen.
            keymap: Keys by binding id, replacing the defaults (see tui/keymap.py).
        """
        i18n.set_locale(i18n.resolve_locale(locale))
        super().__init__()
        translate_bindings(self)
        self.workspace = Workspace.defaults(home, scenario, profile, user_dir, reports_dir)
        if report:
            self.workspace.report_path = Path(report)
        self.locale_changed_signal: Signal[str] = Signal(self, "locale-changed")
        self.simulation = SimulationProcess()
        if keymap:
            self.set_keymap(keymap)
        self.theme = DARK_THEME

    def on_unmount(self) -> None:
        """Stop the simulation process with the app."""
        interrupt.uninstall()
        self.simulation.close()

    def on_mount(self) -> None:
        """Check the size at start (no resize event comes if it never changes)."""
        interrupt.install(self)  # SIGINT cancels what runs (tui.interrupt)
        self.check_size(self.size.width, self.size.height)

    def on_resize(self, event: Resize) -> None:
        """Cover the app with a notice while the terminal is too small."""
        self.check_size(event.size.width, event.size.height)

    def check_size(self, width: int, height: int) -> None:
        """Show or hide the too-small notice."""
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        showing = isinstance(self.screen, TooSmallNotice)
        if small and not showing:
            self.push_screen(TooSmallNotice())
        elif not small and showing:
            self.pop_screen()

    async def action_show(self, mode: str) -> None:
        """Switch to one of the main screens."""
        await self.switch_mode(mode)

    async def action_run(self) -> None:
        """Run the open scenario (from any screen); one with problems stays in its form."""
        draft = self.workspace.draft
        if draft is None or draft.scenario is None:
            self.notify(_("The scenario has problems; fix them on the Scenarios screen."),
                        severity="error")
            return
        await self.switch_mode("run")
        run_screen = self.screen
        if isinstance(run_screen, screen_class("run")):
            run_screen.start_run()

    async def action_quit(self, return_code: int = 0) -> None:
        """Leave the app (with `return_code`); with unsaved edits in the form, ask first."""
        from tui.dialogs.confirm import ConfirmDialog

        draft = self.workspace.draft
        if draft is None or not draft.dirty:
            self.exit(return_code=return_code)
        elif not isinstance(self.screen, ConfirmDialog):
            question = _("Quit and lose your unsaved edits to {name}?").format(
                name=draft.path.name)
            self.push_screen(ConfirmDialog(question),
                             lambda yes: self.exit(return_code=return_code) if yes else None)

    def action_help(self) -> None:
        """Show the help screen."""
        from tui.dialogs.help import HelpScreen

        if not isinstance(self.screen, HelpScreen | TooSmallNotice):
            self.push_screen(HelpScreen(self.screen))

    def action_toggle_theme(self) -> None:
        """Switch between the light and the dark theme."""
        self.theme = LIGHT_THEME if self.theme == DARK_THEME else DARK_THEME

    def action_switch_locale(self, locale: str | None = None) -> None:
        """Switch the UI language (to `locale`, or the next supported one)."""
        chosen = i18n.set_locale(locale or i18n.next_locale())
        translate_bindings(self)
        self.locale_changed_signal.publish(chosen)
        self.notify(_("Language: {name}").format(name=i18n.language_name()))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette: every app action, grouped by verb."""
        for row in SCREENS:
            yield SystemCommand(
                _("show: {screen}").format(screen=_(row.label)),
                _("Go to the {screen} screen").format(screen=_(row.label)),
                lambda mode=row.mode: self.run_action(f"show('{mode}')"),
            )
        yield SystemCommand(_("run: start the open scenario"), _("Run it and watch it unfold"),
                            self.action_run)
        yield from getattr(screen, "commands", lambda: [])()
        for locale in i18n.SUPPORTED_LOCALES:
            yield SystemCommand(
                _("language: {name}").format(name=i18n.language_name(locale)),
                _("Switch the interface language"),
                lambda locale=locale: self.action_switch_locale(locale),
            )
        yield SystemCommand(_("theme: toggle light/dark"), _("Switch the colour theme"),
                            self.action_toggle_theme)
        yield SystemCommand(_("theme: choose"), _("Pick any installed theme"),
                            self.action_change_theme)
        yield SystemCommand(_("help: show keys"), _("What each screen does and its keys"),
                            self.action_help)
        yield SystemCommand(_("app: quit"), _("Leave the app"), self.action_quit)
