"""The package's layering, read from the source: the engine never imports the UI toolkit, and no
module imports itself back through others (an import cycle makes start-up order matter)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "qa"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_block(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and isinstance(test, (ast.Name, ast.Attribute)) and \
        "TYPE_CHECKING" in ast.unparse(test)


def imported_modules(path: Path) -> set[str]:
    """Every module this file imports at run time (top level or inside functions), not the ones
    imported only for type checkers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(n) for block in ast.walk(tree) if _type_checking_block(block) for n in ast.walk(block)}
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def import_graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in imported_modules(path) if m in files and m != name} for name, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_in_the_package():
    assert cycles(import_graph()) == []


#: the command line starts the UI (`qa` with no command), so it may import qa.ui; nothing else may
ENTRY_POINTS = {"qa.cli", "qa.__main__"}


def test_the_engine_does_not_import_the_ui_toolkit():
    engine = [p for p in PACKAGE.rglob("*.py")
              if "ui" not in p.relative_to(PACKAGE).parts and module_name(p) not in ENTRY_POINTS]
    offenders = {module_name(p): sorted(m for m in imported_modules(p)
                                        if m.split(".")[0] == "textual" or m.startswith("qa.ui"))
                 for p in engine}
    assert {name: mods for name, mods in offenders.items() if mods} == {}


def test_nothing_installs_a_top_level_app_module():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "py-modules" not in pyproject


def test_only_the_embedder_module_loads_a_torch_model():
    """Every path that embeds passages (qa index, its repair, --watch, the UI's reindex) calls
    qa/embedder.py's passage_encoder, so all get the ONNX export: none builds an Embedder itself."""
    builders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "embedder.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] == "Embedder":
                builders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert builders == []
