"""Project modules are imported at the top of a module, where the dependency graph shows them.

A function-level import of a project module (hub, simulator, tui, plumbing) hides a
dependency from import-linter and from a reader, and can hide an import cycle. Only heavy
third-party packages (torch, onnxruntime, pandas, pyarrow, transformers, ray, textual) are
deferred freely. A project import stays inside a function only when
`tests/import_allowlist.toml` lists it with its reason; an entry that no longer matches
anything fails too, so the list only shrinks. And the imports at module level form no cycle
(those under `if TYPE_CHECKING:` are not run, so they do not count).
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("hub", "simulator", "tui", "plumbing")
ALLOWLIST = ROOT / "tests" / "import_allowlist.toml"


def _module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    base = ROOT.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _imported(node: ast.Import | ast.ImportFrom, path: Path) -> list[str]:
    """Project modules an import statement names (`from hub import registry` -> hub.registry)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # relative: from the file's package, up `level - 1` packages
        package = _module_of(path).split(".")
        if path.name != "__init__.py":
            package = package[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, *([node.module] if node.module else [])])
    else:
        base = node.module or ""
    names = [f"{base}.{alias.name}" for alias in node.names]
    return [name if _is_module(name) else base for name in names]


def function_level_imports(path: Path) -> set[str]:
    """`path: module` for each project module imported inside a function of `path`."""
    found = set()

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if in_function and isinstance(child, (ast.Import, ast.ImportFrom)):
                for module in _imported(child, path):
                    if module.split(".")[0] in PROJECT:
                        found.add(f"{path.relative_to(ROOT).as_posix()}: {module}")
            nested = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            visit(child, in_function or nested)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), False)
    return found


def allowed() -> dict[str, str]:
    """Allowed `path: module` entries with their reasons."""
    document = tomllib.loads(ALLOWLIST.read_text(encoding="utf-8"))
    entries: dict[str, str] = {}
    for group in document["allow"]:
        assert group.get("reason", "").strip(), f"{ALLOWLIST}: a group without a reason"
        for entry in group["imports"]:
            assert entry not in entries, f"{ALLOWLIST}: {entry} listed twice"
            entries[entry] = group["reason"]
    return entries


def test_project_modules_are_imported_at_module_level_unless_allowed_with_a_reason():
    found = {entry for package in PROJECT for path in sorted((ROOT / package).rglob("*.py"))
             for entry in function_level_imports(path)}
    listed = allowed()
    unlisted = sorted(found - set(listed))
    assert not unlisted, ("function-level imports of project modules: move them to the top of "
                          f"the module, or list them with a reason in {ALLOWLIST.name}:\n  "
                          + "\n  ".join(unlisted))
    stale = sorted(set(listed) - found)
    assert not stale, (f"{ALLOWLIST.name} lists imports that are no longer inside a function; "
                       "remove them:\n  " + "\n  ".join(stale))


def module_level_imports(path: Path) -> set[str]:
    """Project modules `path` imports when it is imported (not inside functions, not typing)."""
    def statements(body):
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                yield node
            elif isinstance(node, ast.If) and "TYPE_CHECKING" not in ast.unparse(node.test):
                yield from statements(node.body)
                yield from statements(node.orelse)
            elif isinstance(node, ast.Try):
                yield from statements(node.body)

    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return {module for node in statements(tree.body) for module in _imported(node, path)
            if module.split(".")[0] in PROJECT and module != _module_of(path)}


def test_module_level_imports_form_no_cycle():
    graph = nx.DiGraph()
    for package in PROJECT:
        for path in (ROOT / package).rglob("*.py"):
            graph.add_edges_from((_module_of(path), module)
                                 for module in module_level_imports(path))
    if not nx.is_directed_acyclic_graph(graph):
        cycles = sorted(" -> ".join(c) for c in nx.simple_cycles(graph, length_bound=4))
        raise AssertionError("module-level import cycles:\n  " + "\n  ".join(cycles))


def test_the_scan_sees_function_level_and_relative_imports(tmp_path, monkeypatch):
    # The rule's own check: a nested import is found, resolved to the module it names; a
    # module-level one is not.
    package = tmp_path / "hub"
    (package / "serving").mkdir(parents=True)
    for name in ("__init__.py", "registry.py", "serving/__init__.py", "serving/bundle.py"):
        (package / name).write_text("", encoding="utf-8")
    source = package / "serving" / "card.py"
    source.write_text("from hub import registry\n\n\ndef f():\n    from . import bundle\n"
                      "    from hub import registry\n    import torch\n", encoding="utf-8")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    assert function_level_imports(source) == {"hub/serving/card.py: hub.serving.bundle",
                                              "hub/serving/card.py: hub.registry"}
    assert module_level_imports(source) == {"hub.registry"}
