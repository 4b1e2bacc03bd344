"""Empty every cache of the rule engine, so that no result remembered by an earlier test can hide
what the next one checks (the reference tests call it around each test, and mutmut runs them in
processes forked after a stats run that filled the caches)."""

from __future__ import annotations

import importlib
import pkgutil

from vertebra.evaluation import rules


def clear_rule_caches() -> None:
    for info in pkgutil.iter_modules(rules.__path__):
        module = importlib.import_module(f"{rules.__name__}.{info.name}")
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()
