"""The packages stand in floors, and imports only run down.

    newsarchive/   the command line and the jobs it runs          (may import everything below)
    crawler/       Scrapy parts                                   -> pipelines, archive, model
    pipelines/     extraction: pure functions of URL and HTML     -> model
    archive/       WARC, CDXJ, WACZ, the archive reader           -> model
    model/         the values everything passes around            -> nothing of ours

Every import counts, at module level or inside a function. And no two modules import each other,
however indirectly.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {
    "model": {"model"},
    "pipelines": {"pipelines", "model"},
    "archive": {"archive", "model"},
    "crawler": {"crawler", "pipelines", "archive", "model"},
    "newsarchive": {"newsarchive", "crawler", "pipelines", "archive", "model"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for every import of one of our packages in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else _module_name(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                names = [".".join([*base, node.module] if node.module else base)]
            else:
                names = [node.module or ""]
            # `from pipelines import title` imports the module pipelines.title
            names += [f"{names[0]}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] in ALLOWED:
                yield node.lineno, name


def _sources() -> list[Path]:
    return sorted(p for package in ALLOWED for p in (ROOT / package).rglob("*.py"))


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in _sources()}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {imported for _, imported in _imports(path)
                       if imported in modules and imported != name}
    return graph


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_run_down_the_floors(package: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, name in _imports(path)
        if name.split(".")[0] not in ALLOWED[package]
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles() -> None:
    graph = _graph()
    done: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            cycles.append([*path[path.index(node):], node])
            return
        if node in done:
            return
        for target in sorted(graph[node]):
            visit(target, [*path, node])
        done.add(node)

    for node in sorted(graph):
        visit(node, [])
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def test_the_check_sees_imports() -> None:
    # A check that finds nothing proves nothing: it must see the crawler's use of the archive.
    graph = _graph()
    assert "archive.warc" in graph["crawler.extensions.warc"]
    assert "pipelines.title" in graph["pipelines.extraction"] or any(
        name.startswith("pipelines.") for name in graph["pipelines.extraction"])
