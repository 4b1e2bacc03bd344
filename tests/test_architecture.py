"""The pure cores run without Django, checked at run time as well as by import-linter.

import-linter reads import statements; this imports each pure core, and every module inside it, in
a fresh interpreter and looks at what got loaded, parent packages' __init__ included."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

_PROBE = """
import importlib, pkgutil, sys
root = importlib.import_module(sys.argv[1])
for info in pkgutil.walk_packages(getattr(root, "__path__", []), root.__name__ + "."):
    if ".tests" not in info.name:
        importlib.import_module(info.name)
print(" ".join(sorted(m for m in ("django", "ninja") if m in sys.modules)))
"""


def _pure_cores() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    pure = next(c for c in contracts if c["name"] == "Pure cores import no Django")
    assert "allow_indirect_imports" not in pure  # an indirect import of Django counts too
    return list(pure["source_modules"])


def _loaded_frameworks(module: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, module],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:  # e.g. a Django model imported without settings
        return "failed to import: " + result.stderr.strip().splitlines()[-1]
    return result.stdout.strip()


@pytest.mark.parametrize("module", _pure_cores())
def test_a_pure_core_loads_no_django(module: str) -> None:
    assert _loaded_frameworks(module) == ""


def test_the_probe_sees_django_when_a_module_loads_it() -> None:
    assert _loaded_frameworks("vertebra.core.timeutil") == "django"
