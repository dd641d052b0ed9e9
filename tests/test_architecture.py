"""The declared layers hold: the contracts pass, an upward import breaks them, no import hides in a function."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("webapp", "sms", "scheduler")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    """Run import-linter on a project tree (its pyproject.toml holds the contracts)."""
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True,
                          env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"}, timeout=120)


def copy_project(to: Path) -> Path:
    """The packages and pyproject.toml, copied so a test can break them."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, to / package, ignore=shutil.ignore_patterns("translations", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", to / "pyproject.toml")
    return to


def test_the_layers_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(("module", "upward"), [
    ("webapp/store/kinds.py", "import sms.inbound"),                # storage -> channel
    ("sms/segments.py", "from webapp.store import connect"),        # leaf -> storage
    ("webapp/journey.py", "from scheduler import dispatch"),        # domain -> channel
    ("sms/inbound.py", "from sms import webhook"),                  # channel -> entry point
    ("webapp/settings.py", "from scheduler.quiet import QuietHours"),  # leaf -> domain
])
def test_an_upward_import_breaks_the_contract(tmp_path, module, upward):
    tree = copy_project(tmp_path)
    path = tree / module
    path.write_text(path.read_text() + f"\n{upward}  # scratch: an upward import\n")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "0 kept, 1 broken" in result.stdout
    assert module.removesuffix(".py").replace("/", ".") in result.stdout


def imports_inside_functions(path: Path) -> list[str]:
    """`module:line` of every import of the project's own packages made inside a function."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                names = ([alias.name for alias in inner.names] if isinstance(inner, ast.Import)
                         else [inner.module or ""] if isinstance(inner, ast.ImportFrom) else [])
                if any(name.split(".")[0] in PACKAGES for name in names):
                    found.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    return found


def test_no_import_of_our_own_modules_hides_in_a_function():
    """A function-level import is how a cycle hides from the contracts."""
    hidden = [hit for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
              for hit in imports_inside_functions(path)]
    assert hidden == []
