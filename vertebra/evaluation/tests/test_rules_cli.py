"""``vertebra evaluate``: exit 0 with the result for any decision; exit 2 with one line on
standard error naming the field for invalid input; never a traceback."""

from __future__ import annotations

import io
import json
import pathlib
from typing import Any

import pytest

from vertebra.evaluation.cli import evaluate_main

GOLDEN = pathlib.Path(__file__).parent / "golden"
FINDING_KEYS = {"rule", "kind", "status", "level", "message", "source"}
LEVEL_KEYS = {"level", "target", "genant", "of_type", "sins", "of_score"}


class _Stdin(io.StringIO):
    def __init__(self, data: bytes) -> None:
        super().__init__()
        self.buffer = io.BytesIO(data)


def _run(argv: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = evaluate_main(argv, _Stdin(stdin), out, err)
    return code, out.getvalue(), err.getvalue()


def _snapshot(name: str) -> dict[str, Any]:
    return json.loads((GOLDEN / f"{name}.json").read_text("utf-8"))["input"]


def _write(tmp_path: pathlib.Path, data: object) -> str:
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(data), "utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("case", "decision"),
    [
        ("recommended-osteoporotic-l1", "recommended"),
        ("review-epidural-extension", "specialist_review"),
        ("incomplete-pain-source", "incomplete"),
        ("not-recommended-sepsis", "not_recommended"),
    ],
)
def test_json_result_has_exactly_the_documented_keys(
    tmp_path: pathlib.Path, case: str, decision: str
) -> None:
    code, out, err = _run([_write(tmp_path, _snapshot(case)), "--format", "json"])
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert set(result) == {"decision", "ruleset_version", "findings", "levels"}
    assert result["decision"] == decision
    for finding in result["findings"]:
        hold = finding["rule"] == "PRE-ANTITHROMBOTIC"
        extra = {"earliest_date", "earliest_time"} if hold else set()
        assert set(finding) == FINDING_KEYS | extra
    for level in result["levels"]:
        assert set(level) == LEVEL_KEYS
        if level["genant"] is not None:
            assert set(level["genant"]) == {
                "grade",
                "label",
                "height_loss_percent",
                "morphology",
                "at_least",
            }
        if level["sins"] is not None:
            assert set(level["sins"]) == {"total", "min", "max", "band"}
        if level["of_score"] is not None:
            assert set(level["of_score"]) == {"total", "band", "unknown_items"}


def test_earliest_date_in_json(tmp_path: pathlib.Path) -> None:
    snapshot = _snapshot("hold-apixaban-day-before")
    code, out, _ = _run([_write(tmp_path, snapshot)])
    holds = [f for f in json.loads(out)["findings"] if f["rule"] == "PRE-ANTITHROMBOTIC"]
    assert code == 0
    assert [(f["status"], f["earliest_date"]) for f in holds] == [("present", "2026-12-10")]
    assert "earliest 2026-12-10" in holds[0]["message"]


def test_text_groups_reasons_under_the_decision(tmp_path: pathlib.Path) -> None:
    code, out, _ = _run(
        [_write(tmp_path, _snapshot("review-epidural-extension")), "--format", "text"]
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Decision: Specialist review"
    reasons = lines.index("Reasons for the decision")
    assert lines[reasons + 1].startswith("  - RC-EPIDURAL (L1), present:")
    assert "SINS 8 (indeterminate) [SINS2010]" in out
    assert "Rule set: vertebra-rules-" in out


def test_stdin_dash(tmp_path: pathlib.Path) -> None:
    data = json.dumps(_snapshot("recommended-osteoporotic-l1")).encode()
    code, out, err = _run(["-"], data)
    assert (code, err) == (0, "")
    assert json.loads(out)["decision"] == "recommended"


def test_settings_file(tmp_path: pathlib.Path) -> None:
    settings = tmp_path / "settings.json"
    settings.write_text('{"pmma_allergy_contraindication": "relative"}', "utf-8")
    snapshot = _snapshot("pmma-allergy")
    code, out, _ = _run([_write(tmp_path, snapshot), "--settings", str(settings)])
    assert code == 0
    assert json.loads(out)["decision"] == "specialist_review"


@pytest.mark.parametrize(
    ("data", "line"),
    [
        ({"pain": {"nrs": 11}}, "error: pain.nrs: must be an integer from 0 to 10 (got 11)"),
        ({"pain": {"nrs": True}}, "error: pain.nrs: must be an integer from 0 to 10 (got true)"),
        (
            {"fractures": [{"level": "T13"}]},
            'error: fractures[0].level: unknown level "T13" (expected C1–C7, T1–T12, L1–L5 or S1)',
        ),
        (
            {"fractures": [{"level": "L1", "heights_mm": {"posterior": -2.5}}]},
            "error: fractures[0].heights_mm.posterior: must be a number ≥ 0 (got -2.5)",
        ),
        (
            {"pain": {"trend": "better"}},
            'error: pain.trend: must be one of worsening, stable, improving (got "better")',
        ),
        (
            {"patient": {"age_years": "81"}},
            'error: patient.age_years: must be an integer from 0 to 150 (got "81")',
        ),
        ([1, 2], "error: snapshot: must be an object (got a list)"),
    ],
)
def test_invalid_snapshot_exits_2_with_one_line(
    tmp_path: pathlib.Path, data: object, line: str
) -> None:
    code, out, err = _run([_write(tmp_path, data)])
    assert (code, out, err) == (2, "", line + "\n")


@pytest.mark.parametrize(
    ("raw", "start"),
    [
        (b"{not json", "error: -: not valid JSON (line 1, column 2"),
        (b'{"pain": {"nrs": NaN}}', "error: NaN is not valid JSON"),
        (b'{"pain": {"nrs": 1, "nrs": 2}}', 'error: duplicate key "nrs"'),
        (b"\xff\xfe{}", "error: -: not valid UTF-8"),
        (b"[" * 100_000, "error: -: not valid JSON"),
        (b'{"pain": {"nrs": ' + b"9" * 5000 + b"}}", "error: -: not valid JSON"),
    ],
)
def test_undecodable_input_exits_2(raw: bytes, start: str) -> None:
    code, out, err = _run(["-"], raw)
    assert code == 2
    assert out == ""
    assert err.startswith(start), err
    assert err.count("\n") == 1


def test_missing_file_and_bad_arguments(tmp_path: pathlib.Path) -> None:
    code, _, err = _run([str(tmp_path / "absent.json")])
    assert code == 2
    assert err.startswith(f"error: {tmp_path / 'absent.json'}: cannot read")
    assert err.count("\n") == 1
    code, _, err = _run([str(tmp_path), "--format", "xml"])
    assert code == 2
    assert err.startswith("error: argument --format: invalid choice")
    assert err.count("\n") == 1
    code, _, err = _run([])
    assert code == 2
    assert err.count("\n") == 1
    code, _, err = _run([str(tmp_path)])  # a directory
    assert code == 2
    assert err.count("\n") == 1


def test_bad_settings_file_names_the_setting(tmp_path: pathlib.Path) -> None:
    settings = tmp_path / "settings.json"
    settings.write_text('{"inr_max": 3}', "utf-8")
    code, _, err = _run([_write(tmp_path, {}), "--settings", str(settings)])
    assert (code, err) == (2, "error: settings.inr_max: must be from 1.5 to 1.8\n")


def test_help_goes_to_stdout() -> None:
    code, out, err = _run(["--help"])
    assert (code, err) == (0, "")
    assert "FILE.json" in out
