"""The house: every module sits in a layer, every import points down, and no import circle exists.

docs/architecture.md describes the layers; LAYERS below is the contract it describes, top layer
first. A module may import from its own layer and from any layer below it. Layers named on one
line with `|` between them are siblings: neither imports the other. Imports are read from the
source with `ast`, wherever they are: at the top of a module, deferred into a function (to keep
`contractkit --help` light, which is fine when they point down) or under `if TYPE_CHECKING:`.
All of them count, for the direction and for circles alike, so a deferred import cannot hide a loop.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest
from conftest import ROOT

PACKAGE = ROOT / "contractkit"
ARCHITECTURE_DOC = ROOT / "docs" / "architecture.md"

LAYERS = """
cli: contractkit.cli.* contractkit.__main__
web: contractkit.web.*
api: contractkit.api contractkit.exclusivity
negotiation: contractkit.negotiation.* | publishing: contractkit.publishing.*
checking: contractkit.checking.*
pdf: contractkit.pdf.*
word: contractkit.word.*
drafting: contractkit.drafting.*
library: contractkit.library.*
core: contractkit.core.* | trust: contractkit.trust.*
base: contractkit contractkit.errors contractkit.files
"""

Kind = Literal["top", "deferred", "typing"]


@dataclass(frozen=True)
class Layer:
    """One layer: its name, its rank (0 is the bottom) and the modules it holds (`pkg.*`: a folder)."""

    name: str
    rank: int
    patterns: tuple[str, ...]

    def match(self, module: str) -> int:
        """How specifically this layer claims `module`: the length of the pattern, or 0."""
        best = 0
        for pattern in self.patterns:
            folder = pattern.removesuffix(".*")
            whole = pattern.endswith(".*") and (module == folder or module.startswith(folder + "."))
            if module == pattern or whole:
                best = max(best, len(pattern))
        return best


@dataclass(frozen=True)
class Import:
    """One import statement's target inside the package, where it is and how it runs."""

    importer: str
    target: str
    line: int
    kind: Kind = "top"


def parse_layers(table: str) -> list[Layer]:
    """LAYERS as Layer objects: the first line is the top layer."""
    rows = [row for row in table.strip().splitlines() if row.strip()]
    layers = []
    for n, row in enumerate(rows):
        for part in row.split("|"):
            name, _, patterns = part.partition(":")
            layers.append(Layer(name.strip(), len(rows) - 1 - n, tuple(patterns.split())))
    return layers


def layer_of(module: str, layers: Sequence[Layer]) -> Layer | None:
    claims = [(layer.match(module), layer) for layer in layers]
    score, layer = max(claims, key=lambda claim: claim[0])
    return layer if score else None


# ----------------------------------------------------------------------------- reading the imports


def module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def scan(package: Path) -> dict[str, list[Import]]:
    """Every module of the package and its imports of the package's own modules."""
    paths = {module_name(p, package): p for p in sorted(package.rglob("*.py"))}
    return {name: list(imports_of(name, path, set(paths))) for name, path in paths.items()}


def imports_of(module: str, path: Path, modules: set[str]) -> Iterable[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    yield from _walk(tree, module, is_package, modules, "top")


def _walk(node: ast.AST, module: str, is_package: bool, modules: set[str], kind: Kind) -> Iterable[Import]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            for target in _targets(child, module, is_package, modules):
                yield Import(module, target, child.lineno, kind)
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            yield from _walk(child, module, is_package, modules, "typing")
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield from _walk(child, module, is_package, modules, "typing" if kind == "typing" else "deferred")
        else:
            yield from _walk(child, module, is_package, modules, kind)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, modules: set[str]) -> list[str]:
    root = module.split(".", maxsplit=1)[0]
    if isinstance(node, ast.Import):
        return [_existing(a.name, modules) for a in node.names if a.name.split(".")[0] == root]
    base = node.module or ""
    if node.level:
        parts = module.split(".") if is_package else module.split(".")[:-1]
        parts = parts[: len(parts) - node.level + 1]
        base = ".".join([*parts, *([base] if base else [])])
    if base.split(".")[0] != root:
        return []
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else _existing(base, modules) for a in node.names]


def _existing(name: str, modules: set[str]) -> str:
    """The module an import names: `import a.b.c` of a function or class is its longest module prefix."""
    while name not in modules and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


# ----------------------------------------------------------------------------- judging the graph


def problems(graph: Mapping[str, Sequence[Import]], layers: Sequence[Layer]) -> list[str]:
    """Every module in no layer, every import that points up or across to a sibling, every circle."""
    out = [
        f"{m} is in no layer: put it in a layer's folder (docs/architecture.md says which)"
        for m in sorted(graph)
        if layer_of(m, layers) is None
    ]
    for imports in graph.values():
        out += [p for imp in imports if (p := direction(imp, layers))]
    out += [f"import circle: {describe(cycle, graph)}" for cycle in circles(graph)]
    return list(dict.fromkeys(out))  # one line for an import that names several things


def direction(imp: Import, layers: Sequence[Layer]) -> str | None:
    here, there = layer_of(imp.importer, layers), layer_of(imp.target, layers)
    if here is None or there is None or here == there:
        return None
    where = f"{imp.importer}:{imp.line} ({imp.kind} import of {imp.target})"
    if there.rank > here.rank:
        return f"{where}: {here.name} must not import from {there.name}, a layer above it"
    if there.rank == here.rank:
        return f"{where}: {here.name} and {there.name} are siblings and must not import each other"
    return None


def circles(graph: Mapping[str, Sequence[Import]]) -> list[list[str]]:
    """One circle (as a list of modules, first repeated last) for each strongly connected group."""
    edges = {m: sorted({i.target for i in imports if i.target in graph}) for m, imports in graph.items()}
    out = []
    for group in _strongly_connected(edges):
        if len(group) > 1 or group[0] in edges[group[0]]:
            out.append(_cycle_in(group, edges))
    return out


def _strongly_connected(edges: Mapping[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative, over modules in name order so that reports are stable."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    groups.append(sorted(group))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(edges[child])))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return groups


def _cycle_in(group: list[str], edges: Mapping[str, list[str]]) -> list[str]:
    """A shortest way round from the group's first module back to itself, inside the group."""
    members, start = set(group), group[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in edges[node]:
            if child == start:
                return [*paths[node], start]
            if child in members and child not in paths:
                paths[child] = [*paths[node], child]
                queue.append(child)
    raise AssertionError(f"no circle through {start}")  # pragma: no cover (a group always has one)


def describe(cycle: list[str], graph: Mapping[str, Sequence[Import]]) -> str:
    steps = []
    for here, there in itertools.pairwise(cycle):
        imp = next(i for i in graph[here] if i.target == there)
        steps.append(f"{here}:{imp.line} ({imp.kind}) -> {there}")
    return "; ".join(steps)


# ----------------------------------------------------------------------------- the package itself


def test_every_module_is_in_a_layer_and_imports_point_down_without_circles() -> None:
    found = problems(scan(PACKAGE), parse_layers(LAYERS))
    assert found == [], "\n".join(found)


def test_the_scan_sees_deferred_and_type_checking_imports_in_the_package() -> None:
    """Not a vacuous pass: imports the package is known to defer are found, with their kind."""
    graph = scan(PACKAGE)
    found = {(i.importer, i.target, i.kind) for imports in graph.values() for i in imports}
    assert ("contractkit.cli.app", "contractkit.api", "deferred") in found  # keeps `contractkit --help` light
    assert ("contractkit.api", "contractkit.trust.keys", "typing") in found
    assert ("contractkit.drafting.assemble", "contractkit.library.facts", "top") in found
    assert len(graph) > 90


def test_the_architecture_doc_lists_every_module_in_its_folder() -> None:
    """docs/architecture.md's tree names each folder's modules, no more and no fewer."""
    listed = _doc_tree(ARCHITECTURE_DOC.read_text(encoding="utf-8"))
    actual: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        folder = path.parent.relative_to(ROOT).as_posix() + "/"
        actual.setdefault(folder, set())
        if path.stem != "__init__":
            actual[folder].add(path.stem)
    assert listed == actual


def _doc_tree(text: str) -> dict[str, set[str]]:
    """The tree block of the doc: lines `contractkit/folder/   module, module  -- a comment`."""
    block = text.split("```text\n", 1)[1].split("```", 1)[0]
    tree: dict[str, set[str]] = {}
    for line in block.splitlines():
        if line.startswith("contractkit/"):
            folder, _, rest = line.partition(" ")
            tree[folder] = set(re.findall(r"\w+", rest.split("--")[0]))
    return tree


def test_every_import_the_docs_show_works() -> None:
    """The imports in the docs' Python examples (docs/api.md first of all) are the public API: each runs."""
    lines = [
        line.strip()
        for doc in sorted((ROOT / "docs").glob("*.md"))
        for line in doc.read_text(encoding="utf-8").splitlines()
        if re.match(r"\s*(from contractkit[\w.]* import |import contractkit)", line)
    ]
    assert "from contractkit.exclusivity import Parties, detect" in lines
    for line in lines:
        exec(compile(line, "docs", "exec"), {})  # an import statement and nothing else


# ----------------------------------------------------------------------------- the rules, tested


def graph_of(edges: Mapping[str, Sequence[tuple[str, Kind]]]) -> dict[str, list[Import]]:
    """A made-up import graph: every module named, as importer or target, is a module."""
    graph: dict[str, list[Import]] = {m: [] for targets in edges.values() for m, _ in targets}
    for importer, targets in edges.items():
        graph[importer] = [Import(importer, target, n, kind) for n, (target, kind) in enumerate(targets, 1)]
    return graph


BAD = [
    pytest.param(
        {"contractkit.library.facts": [("contractkit.drafting.assemble", "top")]},
        "library must not import from drafting, a layer above it",
        id="upward-at-the-top",
    ),
    pytest.param(
        {
            "contractkit.library.loading": [("contractkit.library.checks", "top")],
            "contractkit.library.checks": [("contractkit.checking.lint", "deferred")],
        },
        "(deferred import of contractkit.checking.lint): library must not import from checking",
        id="upward-deferred-into-a-function",
    ),
    pytest.param(
        {"contractkit.word.render": [("contractkit.checking.verify", "typing")]},
        "(typing import of contractkit.checking.verify): word must not import from checking",
        id="upward-under-type-checking",
    ),
    pytest.param(
        {"contractkit.pdf.batch": [("contractkit.api", "deferred")]},
        "pdf must not import from api",
        id="below-the-api-calling-the-api",
    ),
    pytest.param(
        {"contractkit.core.text": [("contractkit.trust.signing", "top")]},
        "core and trust are siblings and must not import each other",
        id="sibling-core-trust",
    ),
    pytest.param(
        {"contractkit.negotiation.negotiate": [("contractkit.publishing.register", "deferred")]},
        "negotiation and publishing are siblings",
        id="sibling-negotiation-publishing",
    ),
    pytest.param(
        {"contractkit.web.views": [("contractkit.cli.app", "top")]},
        "web must not import from cli, a layer above it",
        id="the-web-app-importing-the-cli",
    ),
    pytest.param(
        {"contractkit.errors": [("contractkit.library.model", "deferred")]},
        "base must not import from library",
        id="the-base-importing-up",
    ),
    pytest.param(
        {
            "contractkit.library.a": [("contractkit.library.b", "top")],
            "contractkit.library.b": [("contractkit.library.a", "top")],
        },
        "import circle: contractkit.library.a:1 (top) -> contractkit.library.b; "
        "contractkit.library.b:1 (top) -> contractkit.library.a",
        id="circle-of-two-at-the-top",
    ),
    pytest.param(
        {
            "contractkit.drafting.completeness": [("contractkit.drafting.tables", "top")],
            "contractkit.drafting.tables": [("contractkit.drafting.completeness", "deferred")],
        },
        "contractkit.drafting.tables:1 (deferred) -> contractkit.drafting.completeness",
        id="circle-held-by-a-deferred-import",
    ),
    pytest.param(
        {
            "contractkit.word.reader.document": [("contractkit.word.reader.story", "top")],
            "contractkit.word.reader.story": [("contractkit.word.reader.runs", "top")],
            "contractkit.word.reader.runs": [("contractkit.word.reader.document", "typing")],
        },
        "import circle: contractkit.word.reader.document:1 (top) -> contractkit.word.reader.story; "
        "contractkit.word.reader.story:1 (top) -> contractkit.word.reader.runs; "
        "contractkit.word.reader.runs:1 (typing) -> contractkit.word.reader.document",
        id="circle-of-three-closed-by-type-checking",
    ),
    pytest.param(
        {
            "contractkit.cli.app": [("contractkit.cli.kit", "top")],
            "contractkit.cli.kit": [("contractkit.cli.app", "deferred")],
        },
        "import circle",
        id="circle-in-the-top-layer",
    ),
    pytest.param(
        {"contractkit.helpers": [("contractkit.errors", "top")]},
        "contractkit.helpers is in no layer",
        id="a-new-module-beside-errors",
    ),
    pytest.param(
        {"contractkit.shared.util": []},
        "contractkit.shared.util is in no layer",
        id="a-new-folder-no-layer-names",
    ),
    pytest.param(
        {"contractkit": [("contractkit.library.model", "top")], "contractkit.library.model": [("contractkit", "top")]},
        "base must not import from library",
        id="the-package-root-importing-a-layer",
    ),
]

GOOD = {
    "contractkit.__main__": [("contractkit.cli", "top")],
    "contractkit.cli": [("contractkit.cli.app", "top")],
    "contractkit.cli.app": [("contractkit.api", "deferred"), ("contractkit.cli.kit", "top")],
    "contractkit.cli.kit": [("contractkit.library.loading", "deferred")],
    "contractkit.web.views": [("contractkit.api", "top"), ("contractkit.errors", "top")],
    "contractkit.api": [("contractkit.drafting.prepare", "top"), ("contractkit.word.render", "deferred")],
    "contractkit.negotiation.negotiate": [
        ("contractkit.word.redline", "deferred"),
        ("contractkit.library.checks", "top"),
    ],
    "contractkit.publishing.summary": [("contractkit.pdf.render", "deferred"), ("contractkit.drafting.prepare", "top")],
    "contractkit.checking.verify": [("contractkit.pdf.read", "deferred"), ("contractkit.word.profile", "typing")],
    "contractkit.pdf.read": [("contractkit.core.findings", "top")],
    "contractkit.word.render": [("contractkit.drafting.tables", "top"), ("contractkit.word.check", "deferred")],
    "contractkit.drafting.prepare": [("contractkit.library.pins", "top"), ("contractkit.trust.keys", "top")],
    "contractkit.library.pins": [("contractkit.trust.signing", "top"), ("contractkit.files", "deferred")],
    "contractkit.library.facts": [("contractkit.core.sandbox", "top"), ("contractkit", "top")],
    "contractkit.core.sandbox": [("contractkit.core.formatting", "deferred")],
}


@pytest.mark.parametrize(("edges", "expected"), BAD)
def test_a_bad_import_graph_fails(edges: dict[str, list[tuple[str, Kind]]], expected: str) -> None:
    found = problems(graph_of({**GOOD, **edges}), parse_layers(LAYERS))
    assert any(expected in line for line in found), found


def test_a_graph_whose_imports_point_down_passes() -> None:
    assert problems(graph_of(GOOD), parse_layers(LAYERS)) == []


def test_the_scan_reads_every_kind_of_import(tmp_path: Path) -> None:
    """Absolute and relative, whole modules and names, at the top, in functions and methods, and
    under TYPE_CHECKING; names that are not modules count as their module."""
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    for name in ("__init__.py", "low.py", "sub/__init__.py", "sub/leaf.py"):
        (package / name).write_text("X = 1\n")
    (package / "high.py").write_text(
        "from __future__ import annotations\n"  # 1
        "from typing import TYPE_CHECKING\n"  # 2
        "from pkg import low\n"  # 3
        "from .low import X\n"  # 4
        "import pkg.sub.leaf\n"  # 5
        "if TYPE_CHECKING:\n"  # 6
        "    from pkg.sub import leaf\n"  # 7
        "def f() -> None:\n"  # 8
        "    from . import low as again\n"  # 9
        "class C:\n"  # 10
        "    def m(self) -> None:\n"  # 11
        "        from .sub.leaf import X\n"  # 12
        "import os, pkg\n"  # 13
    )
    graph = scan(package)
    assert sorted(graph) == ["pkg", "pkg.high", "pkg.low", "pkg.sub", "pkg.sub.leaf"]
    assert [(i.target, i.line, i.kind) for i in graph["pkg.high"]] == [
        ("pkg.low", 3, "top"),
        ("pkg.low", 4, "top"),
        ("pkg.sub.leaf", 5, "top"),
        ("pkg.sub.leaf", 7, "typing"),
        ("pkg.low", 9, "deferred"),
        ("pkg.sub.leaf", 12, "deferred"),
        ("pkg", 13, "top"),
    ]
