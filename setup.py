"""Build step beyond pyproject.toml: compile the rule engine with mypyc.

vertebra/evaluation/rules is plain, fully typed Python; mypyc (part of mypy) translates it to C
extension modules beside their sources, which gives issue 3's throughput. The SHA-256 of each
compiled source is recorded so that a module whose source changed after the build is refused at
import (vertebra/evaluation/rules/compiled.py). VERTEBRA_PURE_RULES=1 builds nothing: the rules
then run as Python source, slower, with identical results.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib

from setuptools import setup

RULES = pathlib.Path("vertebra/evaluation/rules")
NEVER_COMPILED = {"__init__.py", "compiled.py"}  # they choose the form before any module loads
MANIFEST = RULES / "compiled-sources.json"


def _rule_modules() -> list[pathlib.Path]:
    return sorted(path for path in RULES.glob("*.py") if path.name not in NEVER_COMPILED)


def _compiled_rules() -> list[object]:
    if os.environ.get("VERTEBRA_PURE_RULES", "") == "1":
        MANIFEST.unlink(missing_ok=True)
        return []
    from mypyc.build import mypycify

    modules = _rule_modules()
    MANIFEST.write_text(
        json.dumps(
            {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in modules},
            indent=1,
            sort_keys=True,
        )
        + "\n"
    )
    # --config-file= : the project's mypy settings name the Django plugin, which the isolated
    # build environment does not have; the rules import nothing from Django.
    return mypycify(
        ["--config-file=", *map(str, modules)],
        opt_level="3",
        group_name="vertebra_rules",
    )


setup(ext_modules=_compiled_rules())
