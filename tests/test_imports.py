"""No import cycles in the first-party packages. Every module imports in a fresh interpreter:
all of them in sorted order, and each one first, alone, so that no cycle hides behind an import
order that happens to work (a cycle fails only when its other end is imported first). And the
import graph, function-local imports included, has no cycle at all."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGES = {
    "pulumi_offline": REPO / "pulumi-offline" / "pulumi_offline",
    "hardening": REPO / "policies" / "hardening",
    "components": REPO / "components",
    "app": REPO / "app",
    "scripts": REPO / "scripts",
}

# Runs in a fresh interpreter with the package's modules as arguments. Importing every module
# in turn proves they all import; then, for the cycle check, each module is imported first in
# a child forked from a parent that has dropped every first-party module again (third-party
# modules stay loaded: a cycle needs first-party modules only, and a fork costs milliseconds
# where a new interpreter costs a second of pulumi imports).
SCRIPT = """
import importlib, os, sys, traceback
package, modules = sys.argv[1], sys.argv[2:]
failed = []
for name in modules:
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name)
        traceback.print_exc()
if failed:
    print("in sorted order, failed to import:", *failed)
    sys.exit(1)
for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
    del sys.modules[name]
sys.stdout.flush()
sys.stderr.flush()
children = {}
for name in modules:
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except BaseException:
            traceback.print_exc()
            sys.stderr.flush()
            os._exit(1)
        os._exit(0)
    children[pid] = name
for pid, name in children.items():
    if os.waitpid(pid, 0)[1]:
        failed.append(name)
if failed:
    print("imported first, alone, failed:", *failed)
    sys.exit(1)
"""


def modules(package: str, root: Path) -> dict[str, Path]:
    """The package's modules by name, sorted: every .py file in folders that are packages (an
    `__init__.py`), so assets such as a Lambda handler's folder are left out."""
    found = {}
    for path in root.rglob("*.py"):
        folders = [path.parent, *(p for p in path.parent.parents if p.is_relative_to(root))]
        if all((folder / "__init__.py").is_file() for folder in folders):
            parts = [package, *path.relative_to(root).with_suffix("").parts]
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return dict(sorted(found.items()))


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_every_module_imports_alone_in_a_fresh_interpreter(package: str) -> None:
    names = list(modules(package, PACKAGES[package]))
    assert names and names[0] == package, f"{PACKAGES[package]}: not a package"
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, package, *names], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The first-party modules `module` imports anywhere in its body, function-local imports
    included (they hide a cycle from the import system, not from a reader); imports under
    `if TYPE_CHECKING:` never run and are left out."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(), str(path))
    type_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for statement in block.body
        for node in ast.walk(statement)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            source = ".".join(part for part in (base, node.module or "") if part)
            # `from pkg import name` imports the submodule pkg.name when there is one.
            submodules = {f"{source}.{alias.name}" for alias in node.names} & known
            found |= submodules or {source}
    return (found & known) - {module}


def test_no_import_cycles_anywhere() -> None:
    paths = {name: path for package, root in PACKAGES.items() for name, path in modules(package, root).items()}
    edges = {name: imports(name, path, set(paths)) for name, path in paths.items()}
    reach: dict[str, set[str]] = {}
    for start in edges:
        seen, todo = set(), list(edges[start])
        while todo:
            module = todo.pop()
            if module not in seen:
                seen.add(module)
                todo += edges[module]
        reach[start] = seen
    cycles = {frozenset(m for m in reach[start] if start in reach[m]) for start in edges if start in reach[start]}
    assert not cycles, "import cycles (function-local imports included): " + "; ".join(
        " <-> ".join(sorted(cycle)) for cycle in sorted(cycles, key=sorted)
    )
