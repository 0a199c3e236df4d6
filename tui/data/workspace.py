"""What the app has open: the scenario, the technology profile, the report and the hub home.

Screens share one `Workspace` held by the app, so a screen can be rebuilt (e.g. when
the language changes) without losing what the user opened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hub.home import hub_home
from plumbing.shipped import shipped_path
from tui.data.scenario_form import ScenarioDraft


def shipped_scenarios() -> list[Path]:
    """The scenario files shipped with the product, default first."""
    try:
        folder = shipped_path("scenarios")
    except FileNotFoundError:
        return []
    files = sorted(folder.glob("*.toml"), key=lambda p: (p.stem != "default", p.name))
    return files


def shipped_profile() -> Path | None:
    """The shipped technology profile, or None when this install has none."""
    try:
        return shipped_path("technology_profile.parquet")
    except FileNotFoundError:
        return None


@dataclass
class Workspace:
    """Paths the user has open and where new files go.

    Attributes:
        home: The hub home (registered models).
        scenario_path: The scenario file open in the form and run by the run key.
        profile_path: The technology profile shown when no model is trained.
        user_dir: Where the user's own scenario files are listed from.
        reports_dir: Where runs started here write their reports (`runs/`, like `simulator run`).
        report_path: The report open on the results screen (a run or batch folder).
        draft: The scenario open in the form, with unsaved edits.
    """

    home: Path
    scenario_path: Path | None = None
    profile_path: Path | None = None
    user_dir: Path = field(default_factory=Path.cwd)
    reports_dir: Path = field(default_factory=lambda: Path("runs"))
    report_path: Path | None = None
    draft: ScenarioDraft | None = None

    @classmethod
    def defaults(
        cls,
        home: str | Path | None = None,
        scenario: str | Path | None = None,
        profile: str | Path | None = None,
        user_dir: str | Path | None = None,
        reports_dir: str | Path | None = None,
    ) -> Workspace:
        """The workspace `intl-strategy` opens with: the shipped default scenario and profile."""
        shipped = shipped_scenarios()
        scenario_path = Path(scenario) if scenario else (shipped[0] if shipped else None)
        return cls(
            home=hub_home(home),
            scenario_path=scenario_path,
            profile_path=Path(profile) if profile else shipped_profile(),
            user_dir=Path(user_dir) if user_dir else Path.cwd(),
            reports_dir=Path(reports_dir) if reports_dir else Path("runs"),
        )

    @property
    def scenarios_dir(self) -> Path:
        """Where new scenario files of the user's go: `scenarios/` in the user folder."""
        return self.user_dir / "scenarios"

    def save_path(self, path: Path) -> Path:
        """Where the scenario open from `path` is saved.

        In place, unless that would write a shipped file or a file under a shipped
        scenario's name: then `NAME-mine.toml` (or `NAME-mine-2.toml`...) in `scenarios_dir`.
        """
        shipped = shipped_scenarios()
        names = {p.name for p in shipped}
        if path.name not in names and path.resolve() not in {p.resolve() for p in shipped}:
            return path
        for number in range(1, 1000):
            name = f"{path.stem}-mine{'' if number == 1 else f'-{number}'}.toml"
            if not (self.scenarios_dir / name).exists() and name not in names:
                return self.scenarios_dir / name
        raise OSError(f"{self.scenarios_dir}: no free name for {path.stem}-mine-N.toml")

    def user_scenarios(self) -> list[Path]:
        """The user's scenario files: TOML files in the user folder and its `scenarios/`."""
        found: list[Path] = []
        for folder in (self.user_dir, self.user_dir / "scenarios"):
            if folder.is_dir():
                found.extend(sorted(folder.glob("*.toml")))
        shipped = {p.resolve() for p in shipped_scenarios()}
        return [p for p in found if p.resolve() not in shipped and p.name != "pyproject.toml"]
