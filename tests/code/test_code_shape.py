"""The code's shape, as issue 21 set it: small functions, few lazy imports. The import
contracts themselves (layers, no circle) run as `lint-imports` in `make lint`; this file
also runs them, so `pytest` alone catches a circle."""

import ast
import subprocess
import sys
from pathlib import Path

from radon.complexity import cc_visit

ROOT = Path(__file__).resolve().parents[2]
APPLICATION_PACKAGES = ("metrics", "okrtracker")
MAX_FUNCTION_LINES = 100
MAX_COMPLEXITY = 20
MAX_IMPORTS_INSIDE_FUNCTIONS = 5


def application_files():
    for package in APPLICATION_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def functions(tree):
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def project_imports_inside_functions(path, root=ROOT):
    tree = ast.parse(path.read_text())
    found = []
    for function in functions(tree):
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (
                APPLICATION_PACKAGES
            ):
                found.append(f"{path.relative_to(root)}:{node.lineno} {node.module}")
            if isinstance(node, ast.Import):
                found += [
                    f"{path.relative_to(root)}:{node.lineno} {alias.name}"
                    for alias in node.names
                    if alias.name.split(".")[0] in APPLICATION_PACKAGES
                ]
    return found


def test_no_application_function_is_over_100_lines():
    too_long = [
        f"{path.relative_to(ROOT)}:{f.lineno} {f.name} ({f.end_lineno - f.lineno + 1} lines)"
        for path in application_files()
        for f in functions(ast.parse(path.read_text()))
        if f.end_lineno - f.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert too_long == []


def test_no_application_function_is_above_complexity_20():
    too_complex = [
        f"{path.relative_to(ROOT)}:{block.lineno} {block.fullname} ({block.complexity})"
        for path in application_files()
        for block in cc_visit(path.read_text())
        for block in [block, *getattr(block, "methods", [])]
        if block.complexity > MAX_COMPLEXITY
    ]
    assert too_complex == []


def test_at_most_five_imports_of_the_project_hide_inside_functions():
    hidden = [
        found for path in application_files() for found in project_imports_inside_functions(path)
    ]
    assert len(hidden) <= MAX_IMPORTS_INSIDE_FUNCTIONS, "\n".join(hidden)


def test_the_checks_count_what_they_claim(tmp_path):
    """The helpers above see a long function, a lazy import and a complex one."""
    source = "def f(x):\n    from metrics import models\n" + "".join(
        f"    if x == {i}:\n        return {i}\n" for i in range(60)
    )
    sample = tmp_path / "sample.py"
    sample.write_text(source)
    assert project_imports_inside_functions(sample, root=tmp_path) == ["sample.py:2 metrics"]
    (function,) = functions(ast.parse(source))
    assert function.end_lineno - function.lineno + 1 > MAX_FUNCTION_LINES
    assert cc_visit(source)[0].complexity > MAX_COMPLEXITY


def test_the_import_contracts_hold():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:]
