"""A scenario file open for editing: its fields, the user's edits, validation, save.

The file is parsed with tomlkit so saving keeps the user's comments and layout. Every edit
is validated at once by the simulator's own `Scenario` model and `format_problems`, so the
form shows the very messages `simulator run` prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Item

from tui.data.form_figures import human_figure, parse_scalar, profile_tokenizers, toml_value
from tui.i18n import _

Key = str | int


class DraftError(Exception):
    """The file cannot be opened as a scenario at all (unreadable or not TOML)."""


@dataclass(frozen=True)
class FormField:
    """One editable value of the file: its key path and the kind of value it holds."""

    path: tuple[Key, ...]
    kind: str  # int | float | bool | str | list

    @property
    def dotted(self) -> str:
        """The key as the simulator's messages spell it, e.g. `firms[0].talent.researchers`."""
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out

    @property
    def group_depth(self) -> int:
        """How many leading keys name the field's group (a section, or one firm)."""
        if len(self.path) == 1:
            return 0  # the scenario's own top-level values
        if self.path[0] == "firms" and isinstance(self.path[1], int):
            return 2
        return 1

    @property
    def label(self) -> str:
        """The key inside its group, for people: `talent · researchers`, `localise 1 · region`.

        In the UI's language (`tui.data.field_labels`).
        """
        from tui.data.field_labels import key_label

        words: list[str] = []
        for part in self.path[self.group_depth:]:
            if isinstance(part, int):
                words[-1] += f" {part + 1}"  # lists of tables count from 1 on screen
            else:
                words.append(key_label(part))
        return " · ".join(words)


@dataclass(frozen=True)
class FormGroup:
    """Fields shown under one heading: the scenario's own values, a section, or one firm."""

    key: tuple[Key, ...]  # () for the scenario's own values, ("compute",), ("firms", 0)
    fields: tuple[FormField, ...]


def _kind(value: object) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list) and not any(isinstance(v, dict) for v in value):
        return "list"
    return None


class ScenarioDraft:
    """A scenario file open in the form, with the user's unsaved edits."""

    def __init__(self, path: Path, text: str) -> None:
        """Parse `text` (the content of `path`); DraftError when it is not TOML."""
        self.path = path
        try:
            self.doc = tomlkit.parse(text)
        except TOMLKitError as error:
            raise DraftError(f"{path}: not valid TOML: {error}") from None
        self.dirty = False
        self.scenario = None
        self.problems: list[str] = []
        self.warnings: list[str] = []  # runs, but a figure falls back (`file: key: why`)
        self.validate()

    @classmethod
    def open(cls, path: Path) -> ScenarioDraft:
        """Read a scenario file; DraftError says why it cannot be opened."""
        try:
            return cls(path, path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise DraftError(f"{path}: cannot read the scenario file: {error}") from None

    def fields(self) -> list[FormField]:
        """Every scalar or list-of-scalars value of the file, in file order."""
        found: list[FormField] = []

        def walk(node: object, path: tuple[Key, ...]) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    walk(value, (*path, str(key)))
            elif isinstance(node, list) and node and all(isinstance(v, dict) for v in node):
                for index, value in enumerate(node):
                    walk(value, (*path, index))
            elif (kind := _kind(node)) is not None:
                found.append(FormField(path, kind))

        walk(self.doc, ())
        return found

    def groups(self) -> list[FormGroup]:
        """The fields under their headings, in file order (scenario values first)."""
        grouped: dict[tuple[Key, ...], list[FormField]] = {(): []}
        for field in self.fields():
            grouped.setdefault(field.path[:field.group_depth], []).append(field)
        return [FormGroup(key, tuple(fields)) for key, fields in grouped.items() if fields]

    def firm_name(self, index: int) -> str:
        """The name the file gives its firm number `index` ('' when it has none yet)."""
        try:
            name = self.doc["firms"][index].get("name", "")  # type: ignore[index,union-attr]
        except (KeyError, IndexError, TypeError, AttributeError):
            return ""
        return name if isinstance(name, str) else ""

    def _container(self, path: tuple[Key, ...]) -> object:
        node: object = self.doc
        for part in path[:-1]:
            node = node[part]  # type: ignore[index]
        return node

    def text_of(self, field: FormField) -> str:
        """The field's value as the user edits it (lists comma separated)."""
        value = self._container(field.path)[field.path[-1]]  # type: ignore[index]
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            key = str(field.path[-1])  # a seed is an identifier, not an amount
            return human_figure(value, money="usd" in key, suffix=key != "seed")
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value)

    def set_text(self, field: FormField, text: str) -> list[str]:
        """Apply an edit and validate; returns the problems of this field."""
        if field.kind == "list":
            parts = [p.strip() for p in text.split(",") if p.strip()]
            value: object = [parse_scalar(p, "float") if _is_number(p) else p for p in parts]
        else:
            value = parse_scalar(text, field.kind)
        container = self._container(field.path)
        old = container[field.path[-1]]  # type: ignore[index]
        new = toml_value(value)
        if isinstance(old, Item) and isinstance(new, Item):
            # Keep the user's comment at the end of the line.
            new.trivia.comment, new.trivia.comment_ws = old.trivia.comment, old.trivia.comment_ws
        container[field.path[-1]] = new  # type: ignore[index]
        self.dirty = True
        self.validate()
        return self.problems_for(field)

    def validate(self) -> list[str]:
        """Validate with the simulator's Scenario model; returns every problem."""
        from pydantic import ValidationError

        from simulator.scenario import Scenario
        from simulator.scenario.toml_check import format_problems

        try:
            self.scenario = Scenario.model_validate({**self.doc.unwrap(), "source": str(self.path)})
            self.problems = []
        except ValidationError as error:
            self.scenario = None
            # The file's name, not its full path: the form shows which file it is already.
            self.problems = format_problems(self.path.name, error, Scenario)
        self.warnings = [] if self.scenario is None else self._tokenizer_warnings()
        return self.problems

    def _tokenizer_warnings(self) -> list[str]:
        """A tokenizer the profile does not list: the simulator falls back to the hub's model."""
        try:
            known = profile_tokenizers(self.scenario.profile_path(), self.scenario.profile_size)
        except Exception:  # noqa: BLE001 - an unreadable profile is the run's to report
            return []
        found, written = [], self.doc.unwrap().get("firms", [])
        for i, firm in enumerate(self.scenario.firms):
            # What the file names (a default the user never chose is not theirs to fix).
            model = written[i].get("model", {}) if i < len(written) else {}
            used = [("model.tokenizer", firm.model.tokenizer)] if "tokenizer" in model else []
            used += [(f"model.tokenizer_changes[{j}].tokenizer", change.tokenizer)
                     for j, change in enumerate(firm.model.tokenizer_changes)]
            found += [f"{self.path.name}: firms[{i}].{key}: " + _(
                "{name} is not among the profile's production tokenizers ({names}): the "
                "simulator prices its tokens with the hub's global model").format(
                name=name, names=", ".join(known) or "-")
                for key, name in used if name not in known]
        return found

    def problems_for(self, field: FormField) -> list[str]:
        """The problems whose key is this field or inside it (e.g. `markets[1]`)."""
        return self._about(field, self.problems)

    def warnings_for(self, field: FormField) -> list[str]:
        """The warnings whose key is this field."""
        return self._about(field, self.warnings)

    def _about(self, field: FormField, lines: list[str]) -> list[str]:
        prefix = f"{self.path.name}: {field.dotted}"
        return [p.removeprefix(prefix + ": ") if p.startswith(prefix + ": ")
                else p.removeprefix(f"{self.path.name}: ")
                for p in lines
                if p.startswith(prefix + ": ") or p.startswith(prefix + "[")
                or p.startswith(prefix + ".")]

    def save(self, path: Path | None = None) -> Path:
        """Write the file (atomically, comments kept); returns where it went."""
        from plumbing.atomic import write_text  # pyarrow comes with it: only when saving

        target = path or self.path
        target.parent.mkdir(parents=True, exist_ok=True)
        write_text(target, tomlkit.dumps(self.doc))
        self.path, self.dirty = target, False
        return target


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
