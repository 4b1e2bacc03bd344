"""Build step beyond pyproject.toml: compile the rule engine with mypyc.

vertebra/evaluation/rules is plain, fully typed Python; mypyc (part of mypy) translates it to C
extension modules beside their sources, which gives issue 3's throughput. The SHA-256 of each
compiled source is recorded so that a module whose source changed after the build is refused at
import (vertebra/evaluation/rules/compiled.py). VERTEBRA_PURE_RULES=1 builds nothing: the rules
then run as Python source, slower, with identical results.
"""

from __future__ import annotations

import runpy

from setuptools import setup

RULES = "vertebra/evaluation/rules"
# The package's own module, read by path: it names what is compiled and records it.
compiled = runpy.run_path(f"{RULES}/compiled.py")


def _compiled_rules() -> list[object]:
    if compiled["pure_requested"]():
        return []
    from mypyc.build import mypycify

    sources = compiled["record_sources"]()
    # --config-file= : the project's mypy settings name the Django plugin, which the isolated
    # build environment does not have; the rules import nothing from Django.
    return mypycify(
        ["--config-file=", *(f"{RULES}/{path.name}" for path in sources)],
        opt_level="3",
        group_name="vertebra_rules",
    )


setup(ext_modules=_compiled_rules())
