"""The layout the README describes holds: every package ships, imports flow one way, long functions say what they do."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "briefing"


def _modules() -> dict[str, Path]:
    """Dotted name -> file, for every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _top_level_imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Modules of the package that ``name`` imports when it is loaded (imports inside functions are left out:
    they are how a stage reaches a heavy library or a later stage only when it needs it)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in modules else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m in modules and m != name}


def test_every_package_folder_ships_in_the_wheel():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {".".join(p.parent.relative_to(ROOT).parts) for p in PACKAGE.rglob("__init__.py")}
    assert folders - listed == set()


def test_the_package_has_no_import_cycle():
    modules = _modules()
    graph = {name: _top_level_imports(name, path, modules) for name, path in modules.items()}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def test_plumbing_knows_nothing_of_the_stages():
    modules = _modules()
    for name, path in modules.items():
        if name.startswith("briefing.util"):
            used = _top_level_imports(name, path, modules)
            assert used <= {"briefing.errors", "briefing.util"} | {m for m in modules if m.startswith("briefing.util")}, \
                (name, used)


def test_stages_do_not_reach_back_into_the_frame_or_later_stages():
    """ingest and extract run before everything else: they may use the frame (config, models, errors, nlp,
    embed) and plumbing, and extract may use ingest's output types, but never a later stage or the CLI."""
    modules = _modules()
    later = ("briefing.classify", "briefing.dedupe", "briefing.events", "briefing.history", "briefing.select",
             "briefing.output", "briefing.cli", "briefing.pipeline")
    for name, path in modules.items():
        if name.startswith(("briefing.ingest", "briefing.extract")):
            used = _top_level_imports(name, path, modules)
            assert not [m for m in used if m.startswith(later)], (name, used)


def test_no_long_function_without_a_docstring():
    long_ones = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > 60 and ast.get_docstring(node) is None:
                    long_ones.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert long_ones == []
