"""The rule engine is a pure core: no Django (or ninja) import anywhere in its files, and each
module stays small enough to review."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

import vertebra.evaluation.rules as rules

PACKAGE = pathlib.Path(rules.__file__).parent
FILES = [*sorted(PACKAGE.glob("*.py")), PACKAGE.parent / "cli.py"]


def test_no_framework_import_in_the_source() -> None:
    for path in FILES:
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in {"django", "ninja"}, (path.name, name)


def test_importing_the_engine_loads_no_django() -> None:
    code = (
        "import sys, vertebra.evaluation.cli, vertebra.evaluation.rules;"
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE.parents[2],
    )
    assert out.stdout.strip() == "False"


def test_modules_stay_under_about_400_lines() -> None:
    for path in FILES:
        assert len(path.read_text("utf-8").splitlines()) <= 450, path.name
