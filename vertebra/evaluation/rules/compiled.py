"""Which form of the rule engine runs: the modules compiled by mypyc, or their Python sources.

An installation compiles this package's modules with mypyc (setup.py): the same source, type
checked, translated to C: about 1.5× the throughput of the interpreted source (issue 3's
target). The compiled modules sit next to their sources, and Python imports a compiled module in
preference to its source, so an edited rule would silently not run until rebuilt. Two guards:

- The build records the SHA-256 of every compiled source (``SOURCES_MANIFEST``). Importing the
  package refuses a compiled module whose source has changed since (``StaleBuild``).
- ``VERTEBRA_PURE_RULES=1`` runs the Python sources whatever is built: at install time it builds
  nothing, at run time it imports the sources over any compiled module. The test suite runs the
  regression fixture this way too, so both forms are checked to give identical results.

This module and ``__init__`` are never compiled: they run before any compiled module loads.
setup.py reads this module by path (the package cannot be imported mid-build), so the build and
the import check share one list of compiled sources, one record and one digest.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import pathlib
import sys
from collections.abc import Sequence
from types import ModuleType

PACKAGE = __name__.rpartition(".")[0]
DIRECTORY = pathlib.Path(__file__).resolve().parent
SOURCES_MANIFEST = "compiled-sources.json"
PURE_VARIABLE = "VERTEBRA_PURE_RULES"
NEVER_COMPILED = frozenset(("__init__.py", "compiled.py"))


class StaleBuild(ImportError):
    """A compiled module is older than its source."""


def pure_requested() -> bool:
    return os.environ.get(PURE_VARIABLE, "") == "1"


def source_digest(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compiled_sources(directory: pathlib.Path = DIRECTORY) -> list[pathlib.Path]:
    """The sources the build compiles: every module but this one and ``__init__``."""
    return sorted(path for path in directory.glob("*.py") if path.name not in NEVER_COMPILED)


def record_sources(directory: pathlib.Path = DIRECTORY) -> list[pathlib.Path]:
    """Write the digest of every source about to be compiled (the build); return them."""
    sources = compiled_sources(directory)
    digests = {path.name: source_digest(path) for path in sources}
    (directory / SOURCES_MANIFEST).write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
    return sources


def compiled_modules(directory: pathlib.Path = DIRECTORY) -> list[str]:
    """Names of the modules in ``directory`` that have a compiled form for this interpreter."""
    # Longest first: ".cpython-311-x86_64-linux-gnu.so" before ".so".
    suffixes = sorted(importlib.machinery.EXTENSION_SUFFIXES, key=len, reverse=True)
    names = set()
    for path in directory.iterdir():
        for suffix in suffixes:
            if path.name.endswith(suffix):
                names.add(path.name[: -len(suffix)])
                break
    return sorted(names)


def stale_modules(directory: pathlib.Path = DIRECTORY) -> list[str]:
    """Compiled modules whose source is not the one recorded when they were built (or that
    were built without a record): importing them would run other code than the source."""
    compiled = compiled_modules(directory)
    if not compiled:
        return []
    manifest = directory / SOURCES_MANIFEST
    recorded: dict[str, str] = json.loads(manifest.read_text()) if manifest.exists() else {}
    stale = []
    for name in compiled:
        source = directory / f"{name}.py"
        if not source.exists() or recorded.get(source.name) != source_digest(source):
            stale.append(name)
    return stale


class _SourcesFirst(importlib.abc.MetaPathFinder):
    """Imports this package's submodules from their ``.py`` files, never a compiled form."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        package, _, name = fullname.rpartition(".")
        if package != PACKAGE:
            return None
        source = DIRECTORY / f"{name}.py"
        if not source.exists():
            return None
        return importlib.util.spec_from_file_location(fullname, source)


def running_compiled() -> bool:
    """Whether the engine's modules are the compiled ones (after the package has loaded)."""
    engine = sys.modules.get(f"{PACKAGE}.engine")
    return engine is not None and not str(engine.__file__).endswith(".py")


def check_build(directory: pathlib.Path = DIRECTORY) -> None:
    """Refuse compiled modules older than their sources."""
    stale = stale_modules(directory)
    if stale:
        raise StaleBuild(
            f"The compiled rule engine is older than its source ({', '.join(stale)}): "
            f"rebuild it with `scripts/venv.sh` (make run and make test do), or set "
            f"{PURE_VARIABLE}=1 to run the Python sources."
        )


def prepare() -> None:
    """Called by the package before it imports its modules: choose the form, refuse a stale
    build."""
    if pure_requested():
        if not any(isinstance(finder, _SourcesFirst) for finder in sys.meta_path):
            sys.meta_path.insert(0, _SourcesFirst())
    else:
        check_build()
