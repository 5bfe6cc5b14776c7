"""No import cycles in the first-party packages. The import graph, function-local imports
included, has no cycle; each package's modules import in a fresh interpreter in sorted order;
and (slow, run by `.ci/run`) each module imports first, alone, so that no cycle through a
package's `__init__` hides behind an import order that happens to work."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.safe_ast import parse

PACKAGES = {
    "pulumi_offline": REPO / "pulumi-offline" / "pulumi_offline",
    "hardening": REPO / "policies" / "hardening",
    "components": REPO / "components",
    "app": REPO / "app",
    "scripts": REPO / "scripts",
}

# Runs in a fresh interpreter with {package: [module, …]} and `packages` or `modules` as its
# arguments. It imports every module once, to load the third-party libraries, then drops every
# first-party module again; each check then runs in a child forked from it, which starts with no
# first-party module loaded, as a fresh interpreter would (a cycle involves first-party modules
# only), for the cost of a fork instead of a second of pulumi imports. `packages`: each package's
# modules in sorted order; `modules`: each module imported first, alone (~60 ms each).
SCRIPT = """
import importlib, json, os, sys, traceback
packages, mode = json.loads(sys.argv[1]), sys.argv[2]
def import_all(names):
    failed = False
    for name in names:
        try:
            importlib.import_module(name)
        except BaseException:
            traceback.print_exc()
            failed = True
    return failed
import_all([name for names in packages.values() for name in names])
for name in [m for m in sys.modules if m.partition(".")[0] in packages]:
    del sys.modules[name]
if mode == "packages":
    checks = [(f"{p}: its modules in sorted order", names) for p, names in packages.items()]
else:
    checks = [(f"{name} imported first, alone", [name]) for names in packages.values() for name in names]
running, failed = {}, []
sys.stdout.flush()
sys.stderr.flush()
for what, names in checks:
    if len(running) >= 2 * (os.cpu_count() or 1):
        pid, status = os.wait()
        if status:
            failed.append(running[pid])
        del running[pid]
    pid = os.fork()
    if pid == 0:
        code = int(import_all(names))
        sys.stderr.flush()
        os._exit(code)
    running[pid] = what
for pid, what in running.items():
    if os.waitpid(pid, 0)[1]:
        failed.append(what)
print("\\n".join(sorted(failed)))
sys.exit(1 if failed else 0)
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


def _fresh_imports(mode: str) -> None:
    packages = {package: list(modules(package, root)) for package, root in PACKAGES.items()}
    for package, names in packages.items():
        assert names and names[0] == package, f"{PACKAGES[package]}: not a package"
    argv = [sys.executable, "-c", SCRIPT, json.dumps(packages), mode]
    result = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"failed:\n{result.stdout}\n{result.stderr[-5000:]}"


def test_each_package_imports_in_sorted_order_in_a_fresh_interpreter() -> None:
    _fresh_imports("packages")


@pytest.mark.slow
def test_every_module_imports_first_alone_in_a_fresh_interpreter() -> None:
    _fresh_imports("modules")


def imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The first-party modules `module` imports anywhere in its body, function-local imports
    included (they hide a cycle from the import system, not from a reader); imports under
    `if TYPE_CHECKING:` never run and are left out."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = parse(path.read_text(), str(path))
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
