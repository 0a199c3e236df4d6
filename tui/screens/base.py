"""What every main screen shares: header, navigation tabs, footer, translated key bindings.

Binding descriptions are declared with `N_` at class level and translated per instance,
so the footer and the help screen follow the UI language; when the language changes the
screen rebuilds itself from the app's `Workspace`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Footer, Header, Tab, Tabs
from textual.worker import Worker, WorkerState

from tui.i18n import _
from tui.modes import BY_MODE, SCREENS, mode_of

if TYPE_CHECKING:
    from tui.app import StrategyApp


def translate_bindings(node: DOMNode) -> None:
    """Give `node` its class bindings with descriptions in the current UI language."""
    # Textual copies the class's merged bindings per instance; we replace that copy with
    # translated descriptions (ids and keys unchanged, so user keymaps still apply).
    merged = type(node)._merged_bindings
    if merged is None:
        return
    node._bindings = merged.copy()
    node._bindings.key_to_bindings = {
        key: [replace(b, description=_(b.description), tooltip=_(b.tooltip) if b.tooltip else "")
              for b in bindings]
        for key, bindings in merged.key_to_bindings.items()
    }


class NavTabs(Tabs):
    """The row of screen names; choosing one switches the app's mode."""

    can_focus = False

    def __init__(self, active: str) -> None:
        super().__init__(*[Tab(_(row.label), id=f"nav-{row.mode}") for row in SCREENS],
                         active=f"nav-{active}")


class ScreenBody(Vertical):
    """The part of a main screen below the navigation; rebuilt when the language changes."""

    def __init__(self, compose_body: Callable[[], ComposeResult]) -> None:
        super().__init__(id="body")
        self.compose_body = compose_body

    def compose(self) -> ComposeResult:
        """The screen's own widgets."""
        yield from self.compose_body()


class MainScreen(Screen):
    """Base class of the main screens (rows of `tui.modes.SCREENS`)."""

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)
        self.mode = mode_of(type(self))

    @property
    def strategy_app(self) -> StrategyApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        """Header, navigation, the screen's own body, footer."""
        yield Header(show_clock=False)
        yield NavTabs(self.mode)
        yield ScreenBody(self.compose_body)
        yield Footer()

    def compose_body(self) -> ComposeResult:
        """The screen's own widgets (override)."""
        yield from ()

    def on_mount(self) -> None:
        """Follow language changes."""
        self.title = _("International strategy")
        self.sub_title = _(BY_MODE[self.mode].label)
        self.strategy_app.locale_changed_signal.subscribe(self, self._on_locale_changed)

    async def _on_locale_changed(self, _locale: str) -> None:
        translate_bindings(self)
        self.title = _("International strategy")
        self.sub_title = _(BY_MODE[self.mode].label)
        body = self.query_one(ScreenBody)
        await self.query_one(NavTabs).remove()
        await self.mount(NavTabs(self.mode), before=body)
        await body.recompose()
        self.refresh_bindings()
        self.after_recompose()

    def after_recompose(self) -> None:
        """Refill widgets after a rebuild (override where the screen shows loaded data)."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A background job that failed is reported, never a crash (workers don't exit)."""
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.notify(f"{type(error).__name__}: {error}", severity="error",
                        title=_("Failed: {job}").format(job=event.worker.description))

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        """Switch screens from the navigation row."""
        event.stop()
        mode = (event.tab.id or "").removeprefix("nav-")
        if mode in BY_MODE and mode != self.mode:
            self.app.switch_mode(mode)
