"""The shape of the code: no import cycle, and the runtime never loads a tool.

import-linter's contracts (pyproject.toml) forbid given imports; these tests check what
they cannot say: that no module imports itself back through any chain, and that what
a hub or a station really loads when it starts holds no module of app.devtools.
"""

from __future__ import annotations

import graphlib
import itertools
import json
import subprocess
import sys

import grimp
import pytest

from tests.helpers import ROOT

PACKAGES = ("app", "messaging", "widgets")


def import_cycles(graph: grimp.ImportGraph, limit: int = 20) -> list[list[str]]:
    """Cycles of direct imports between modules (function-level imports count too), each
    as [a, b, …, a] where a imports b.

    graphlib finds one cycle at a time; each found is cut at one import and the search
    goes on, so every independent cycle is listed (up to ``limit``).
    """
    deps = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    cycles: list[list[str]] = []
    while len(cycles) < limit:
        try:
            graphlib.TopologicalSorter(deps).prepare()
        except graphlib.CycleError as exc:
            # graphlib lists each node before the one that depends on (imports) it.
            cycle: list[str] = exc.args[1][::-1]
            cycles.append(cycle)
            deps[cycle[0]].discard(cycle[1])
        else:
            return cycles
    return cycles


def test_no_import_cycle_among_the_projects_modules() -> None:
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert len(graph.modules) > 100  # the whole project, not an empty graph
    cycles = import_cycles(graph)
    assert not cycles, "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_the_cycle_finder_sees_a_cycle() -> None:
    """The check above can fail: a graph with a cycle through three modules is caught."""
    graph = grimp.ImportGraph()
    for importer, imported in (("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.d", "p.a")):
        graph.add_import(importer=importer, imported=imported)
    (cycle,) = import_cycles(graph)
    assert set(cycle) == {"p.a", "p.b", "p.c"}
    assert cycle[0] == cycle[-1]
    for importer, imported in itertools.pairwise(cycle):
        assert graph.direct_import_exists(importer=importer, imported=imported)


def loaded_after(code: str) -> list[str]:
    """The project's and Qt's modules loaded in a fresh interpreter after running ``code``."""
    probe = (
        f"{code}\nimport json, sys\n"
        "print(json.dumps(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('app', 'messaging', 'widgets', 'PySide6'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    modules: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return modules


def tools(modules: list[str]) -> list[str]:
    return [m for m in modules if m == "app.devtools" or m.startswith("app.devtools.")]


@pytest.mark.parametrize(
    "code",
    [
        "import app.hub.service",
        "import app.client.main",
        "import app.client.demo",
        "import app.cli; app.cli.build_parser()",
    ],
)
def test_the_runtime_loads_no_tool(code: str) -> None:
    modules = loaded_after(code)
    assert code.split()[1].split(";")[0] in modules  # the probe did import it
    assert tools(modules) == []


def test_the_hub_command_loads_neither_qt_nor_a_tool() -> None:
    modules = loaded_after("import app.cli, app.cli.hub, app.hub.service; app.cli.build_parser()")
    assert [m for m in modules if m.startswith("PySide6") or m.startswith("widgets")] == []
    assert tools(modules) == []


def test_the_probe_sees_a_tool_when_one_is_loaded() -> None:
    """The checks above can fail: importing a tool shows up in what the probe reports."""
    assert "app.devtools.faults.driver" in tools(loaded_after("import app.devtools.faults.driver"))
