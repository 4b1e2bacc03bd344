"""The two forms of the rule engine (compiled.py): the installation runs the compiled modules,
the Python sources give the same results, and a build older than its sources is refused."""

from __future__ import annotations

import importlib.machinery
import os
import pathlib
import subprocess
import sys

import pytest

from vertebra.evaluation.rules import compiled
from vertebra.evaluation.tests.test_rules_regression import SUBSET_COUNT, SUBSET_DIGEST

_ROOT = pathlib.Path(__file__).resolve().parents[3]
_SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]  # this interpreter's own


def test_the_installation_runs_the_form_it_was_asked_for() -> None:
    """The test command installs the compiled engine, so the suite checks what the benchmark
    measures; VERTEBRA_PURE_RULES=1 runs the sources."""
    if compiled.pure_requested():
        assert not compiled.running_compiled()
    else:
        assert compiled.running_compiled(), "the rule engine was not compiled (setup.py)"


def test_the_python_sources_give_the_recorded_results() -> None:
    """The same regression subset as test_rules_regression, run from the sources in a process
    of its own: both forms give byte-identical results."""
    script = (
        "from vertebra.evaluation.rules import compiled, engine\n"
        "from vertebra.evaluation.tests.test_rules_regression import results_digest\n"
        "print(engine.__file__, compiled.running_compiled())\n"
        f"print(results_digest({SUBSET_COUNT}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=_ROOT,
        env={**os.environ, compiled.PURE_VARIABLE: "1"},
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    where, digest = done.stdout.splitlines()
    assert where == f"{_ROOT / 'vertebra/evaluation/rules/engine.py'} False"
    assert digest == SUBSET_DIGEST


def _package(tmp_path: pathlib.Path, *, record: bool = True) -> pathlib.Path:
    (tmp_path / "engine.py").write_text("RULES = 1\n")
    (tmp_path / f"engine{_SUFFIX}").write_bytes(b"\x7fELF")
    (tmp_path / "model.py").write_text("FACTS = 1\n")  # no compiled form: never stale
    if record:
        compiled.record_sources(tmp_path)
    return tmp_path


def test_a_build_matching_its_sources_is_not_stale(tmp_path: pathlib.Path) -> None:
    directory = _package(tmp_path)
    assert compiled.compiled_modules(directory) == ["engine"]
    assert compiled.stale_modules(directory) == []
    compiled.check_build(directory)  # does not raise


def test_a_source_edited_after_the_build_is_stale(tmp_path: pathlib.Path) -> None:
    directory = _package(tmp_path)
    (directory / "engine.py").write_text("RULES = 2\n")
    assert compiled.stale_modules(directory) == ["engine"]
    with pytest.raises(compiled.StaleBuild, match=r"older than its source \(engine\)") as raised:
        compiled.check_build(directory)
    assert "scripts/venv.sh" in str(raised.value)
    assert "VERTEBRA_PURE_RULES=1" in str(raised.value)


def test_a_build_without_its_record_is_stale(tmp_path: pathlib.Path) -> None:
    assert compiled.stale_modules(_package(tmp_path, record=False)) == ["engine"]


def test_sources_alone_are_never_stale(tmp_path: pathlib.Path) -> None:
    directory = _package(tmp_path, record=False)
    (directory / f"engine{_SUFFIX}").unlink()
    assert compiled.compiled_modules(directory) == []
    assert compiled.stale_modules(directory) == []


def test_the_installed_build_matches_its_sources() -> None:
    assert compiled.stale_modules() == []
