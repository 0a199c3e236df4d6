"""The app's main screens, one row each: mode name, label, key, class and help paragraph.

The navigation row, the number keys (binding ids `screen.MODE`, so user keymaps can move
them), the command palette, the help screen and the screens' own titles all read this
table: a new main screen is one row here.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from textual.binding import Binding

from tui.i18n import N_

if TYPE_CHECKING:
    from tui.screens.base import MainScreen


@dataclass(frozen=True)
class MainScreenRow:
    """One main screen of the app."""

    mode: str
    label: str  # marked with N_: translated where it is shown
    key: str
    screen: str  # "module:Class", imported on first use so the app starts quickly
    help: str  # one Markdown paragraph of the help screen, marked with N_

    def screen_class(self) -> type[MainScreen]:
        """The screen's class (imports its module)."""
        module, name = self.screen.split(":")
        return getattr(import_module(module), name)

    def binding(self) -> Binding:
        """The app-wide key that shows this screen."""
        return Binding(self.key, f"show('{self.mode}')", self.label, id=f"screen.{self.mode}",
                       show=False)


SCREENS: tuple[MainScreenRow, ...] = (
    MainScreenRow("scenarios", N_("Scenarios"), "1", "tui.screens.scenarios:ScenariosScreen",
                  N_("**Scenarios**: pick a shipped or your own scenario file and edit it; "
                     "problems are shown as you type, with the same messages as `simulator "
                     "run`; figures read as people write them ($2B, 30B). n describes a firm "
                     "of your own and saves it as a new scenario. Save keeps your comments and "
                     "never writes a shipped file.")),
    MainScreenRow("run", N_("Run"), "2", "tui.screens.run:RunScreen",
                  N_("**Run**: runs the open scenario (r) in a background process with a "
                     "progress bar (c cancels), then draws users, share, revenue and cash per "
                     "firm, for all markets or a region; the report is written as Parquet like "
                     "`simulator run --out`.")),
    MainScreenRow("results", N_("Results"), "3", "tui.screens.results:ResultsScreen",
                  N_("**Results**: open a report (one run or a batch), pick two runs or "
                     "strategies and compare.")),
    MainScreenRow("world", N_("World"), "4", "tui.screens.world:WorldScreen",
                  N_("**World**: countries with CAGE distance from a home country; choose one "
                     "for its market over time in the open report.")),
    MainScreenRow("hub", N_("Hub"), "5", "tui.screens.hub:HubScreen",
                  N_("**Hub**: trained models per region and their per-language figures; "
                     "export a region; with no model trained, the shipped technology profile.")),
    MainScreenRow("advice", N_("Advice"), "6", "tui.screens.advice:AdviceScreen",
                  N_("**Advice**: a runs advice for the firm chosen (futures, horizon, moves) "
                     "with progress, c cancels; the moves ranked (NPV range, chance of beating "
                     "the status quo, largest regret), each future's gain over the status quo, "
                     "a move's drivers; e opens the move as an edited scenario.")),
)

BY_MODE: dict[str, MainScreenRow] = {row.mode: row for row in SCREENS}


def screen_class(mode: str) -> type[MainScreen]:
    """The screen class of a mode, imported on first use."""
    return BY_MODE[mode].screen_class()


def mode_of(screen: type) -> str:
    """The mode whose row names this screen class."""
    name = f"{screen.__module__}:{screen.__name__}"
    for row in SCREENS:
        if row.screen == name:
            return row.mode
    raise KeyError(f"{name} is not a main screen of tui.modes.SCREENS")
