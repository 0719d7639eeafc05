"""No import cycles among skgesture's modules, imports inside functions included.

Read from the sources (nothing is imported): module A depends on module B when A imports B or a
name from B anywhere, at the top or in a function. A package depends on what its
``__init__`` imports; a module's dependence on its own parent packages is not counted (Python
imports those first anyway).
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "skgesture"


def module_files():
    files = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        files[name] = path
    return files


def imported_names(path, module):
    """Every dotted name a module imports, relative imports resolved."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def dependency_graph():
    files = module_files()

    def owner(name):
        """The module a dotted name lives in (``a.b.func`` -> ``a.b``)."""
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name

    graph = {}
    for module, path in files.items():
        targets = {owner(name) for name in imported_names(path, module)}
        graph[module] = {
            target
            for target in targets
            if target and target != module and not module.startswith(target + ".")
        }
    return graph


def find_cycle(graph):
    """One cycle as a list of modules (first repeated at the end), or None."""
    state = dict.fromkeys(graph, "new")
    for start in sorted(graph):
        if state[start] != "new":
            continue
        path, stack = [start], [iter(sorted(graph[start]))]
        state[start] = "open"
        while stack:
            target = next(stack[-1], None)
            if target is None:
                state[path.pop()] = "done"
                stack.pop()
            elif state[target] == "open":
                return path[path.index(target) :] + [target]
            elif state[target] == "new":
                state[target] = "open"
                path.append(target)
                stack.append(iter(sorted(graph[target])))
    return None


def test_no_module_of_skgesture_imports_itself_through_others():
    cycle = find_cycle(dependency_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize(
    "graph, expected",
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
        ({"a": {"b", "c"}, "b": set(), "c": {"c2"}, "c2": {"c"}}, ["c", "c2", "c"]),
    ],
)
def test_the_cycle_finder_finds_cycles(graph, expected):
    assert find_cycle(graph) == expected


def test_function_level_and_relative_imports_count(tmp_path):
    source = tmp_path / "mod.py"
    source.write_text("def f():\n    from skgesture.io import read_ts\n    from . import x\n")
    names = set(imported_names(source, "skgesture.pkg.mod"))
    assert {"skgesture.io", "skgesture.io.read_ts", "skgesture.pkg", "skgesture.pkg.x"} <= names
