"""The package's layering, read from the source: the layer contracts of pyproject.toml
([tool.importlinter]: retrieval never imports the write side, the engine never the UI), and no
module imports itself back through others (an import cycle makes start-up order matter)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

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


def lint(config: Path, *contract_ids: str) -> int:
    """lint-imports' exit status (0: every contract kept) for a configuration, checked by
    import-linter's Python API on this checkout's qa/; only the contracts named, if any."""
    pytest.importorskip("importlinter", reason="import-linter is in the test extra: pip install -e '.[test]'")
    from importlinter.cli import lint_imports

    import qa

    assert Path(qa.__file__).resolve().parent == PACKAGE, "PYTHONPATH must name this checkout"
    return lint_imports(config_filename=str(config), limit_to_contracts=contract_ids, no_cache=True, no_logo=True)


#: the layer contracts pyproject.toml keeps
CONTRACTS = ("retrieval-reads", "ui-on-top", "cli-on-top", "engine-without-toolkit", "ui-through-read-side")


def test_the_layer_contracts_hold():
    """Retrieval never imports the write side (indexer, repair, merging, inspection, library...),
    the engine never imports qa.ui, qa.cli, textual or rich, the UI reads the index through the
    read side: import-linter's contracts in pyproject.toml, each named so none is dropped quietly."""
    assert lint(ROOT / "pyproject.toml", *CONTRACTS) == 0
    assert lint(ROOT / "pyproject.toml") == 0


def test_a_broken_contract_fails(tmp_path):
    """The check can fail: retrieval reads qa.index.store, so a contract forbidding that is broken."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    settings = pyproject[pyproject.index("[tool.importlinter]"):pyproject.index("[[tool.importlinter.contracts]]")]
    config = tmp_path / "broken.toml"
    config.write_text(settings + '''
[[tool.importlinter.contracts]]
id = "no-store"
name = "retrieval without the store"
type = "forbidden"
source_modules = ["qa.retrieval"]
forbidden_modules = ["qa.index.store"]
''', encoding="utf-8")
    assert lint(config) == 1


def test_nothing_installs_a_top_level_app_module():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "py-modules" not in pyproject


def test_only_the_embedder_module_loads_a_torch_model():
    """Every path that embeds passages (qa index, its repair, --watch, the UI's reindex) calls
    qa/embedding/embedder.py's passage_encoder, so all get the ONNX export: none builds an Embedder itself."""
    builders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "embedder.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] == "Embedder":
                builders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert builders == []


def test_the_local_engine_implements_the_protocols(stand_in_seed_index, stand_in, tmp_path):
    """Today's engine is the implementation of qa/interfaces.py's seams (every member present)."""
    from qa.embedding.encoder import Encoder
    from qa.interfaces import IndexReader, IndexWriter
    from qa.retrieval.local_index import LocalIndexReader
    from qa.index.writer import LocalIndexWriter

    reader = LocalIndexReader(stand_in_seed_index)
    try:
        assert isinstance(reader, IndexReader)
    finally:
        reader.close()
    assert isinstance(LocalIndexWriter(tmp_path), IndexWriter)
    assert isinstance(stand_in, Encoder)


class CountingReader:
    """An IndexReader that passes every call to the local one, counting them: another engine."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name):
        value = getattr(self.inner, name)
        if callable(value):
            self.calls.append(name)
        return value


def test_the_retriever_reads_only_through_the_index_it_is_given(stand_in_seed_index, stand_in):
    """The seam a later engine plugs into: the Retriever asks its IndexReader for candidates and
    cited rows, and answers as it does over the local engine by itself."""
    from qa.retrieval.local_index import LocalIndexReader
    from qa.search import Searcher

    spy = CountingReader(LocalIndexReader(stand_in_seed_index))
    through, plain = Searcher(stand_in_seed_index, index=spy), Searcher(stand_in_seed_index)
    try:
        got = through.search("Who commanded the Abu Salim Brigade?", k=3, embedder=stand_in)
        want = plain.search("Who commanded the Abu Salim Brigade?", k=3, embedder=stand_in)
    finally:
        through.close()
        plain.close()
    assert {"refresh", "candidates", "citation_rows", "stories_of"} <= set(spy.calls)
    assert [h.passage_id for h in got.hits] == [h.passage_id for h in want.hits] and got.hits
