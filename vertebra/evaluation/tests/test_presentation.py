"""How a result reads: a clinical title for every rule id, chips by meaning, no nested
parentheses, dates as the physician says them (pure: no database)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vertebra.evaluation import presentation

RULES_DIR = Path(presentation.__file__).parent / "rules"


def _rule_ids_in_rules() -> set[str]:
    ids: set[str] = set()
    for path in RULES_DIR.glob("*.py"):
        ids |= set(re.findall(r'"((?:IND|CI|RC|PRE|RISK)-[A-Z0-9-]+)"', path.read_text()))
    return ids


def test_every_rule_id_the_engine_can_emit_has_a_clinical_title() -> None:
    ids = _rule_ids_in_rules()
    assert len(ids) >= 30  # the grep found the rules, not nothing
    assert ids - set(presentation.TITLES) == set()
    assert presentation.TITLES["IND-ACUTE-FRACTURE"] == "Acute fracture on imaging"


def test_an_unknown_rule_id_is_shown_as_itself() -> None:
    finding = presentation.finding_for(
        {"rule": "XX-NEW", "kind": "risk", "status": "present", "message": "m", "source": ""}
    )
    assert finding.title == "XX-NEW"


@pytest.mark.parametrize(
    ("kind", "status", "css", "word"),
    [
        ("indication", "met", "chip-met", "Met"),
        ("indication", "not_met", "chip-against", "Not met"),
        ("absolute_contraindication", "present", "chip-against", "Present"),
        ("relative_contraindication", "present", "chip-review", "Present, review"),
        ("precondition", "present", "chip-action", "Action needed"),
        ("precondition", "missing", "chip-missing", "To check"),
        ("missing_information", "missing", "chip-missing", "Missing"),
        ("absolute_contraindication", "absent", "chip-absent", "Absent"),
        ("precondition", "absent", "chip-absent", "Not needed"),
        ("risk", "present", "chip-risk", "Risk factor"),
    ],
)
def test_chips_differ_by_meaning(kind: str, status: str, css: str, word: str) -> None:
    chip = presentation.chip_for(kind, status)
    assert (chip.css, chip.word) == (css, word)
    assert chip.icon


def test_met_contraindication_and_action_never_share_a_chip() -> None:
    met = presentation.chip_for("indication", "met")
    present = presentation.chip_for("absolute_contraindication", "present")
    action = presentation.chip_for("precondition", "present")
    assert len({met.css, present.css, action.css}) == 3
    assert len({met.icon, present.icon, action.icon}) == 3


def test_a_trailing_nested_parenthetical_becomes_its_own_line_and_dates_read_as_dates() -> None:
    message = (
        "Hold aspirin 75 mg 6 days: earliest 2026-12-11; the planned date 2026-12-10 is too early "
        "(confirm with the prescriber or cardiologist before stopping (secondary prevention or a "
        "recent stent needs a shared decision)). [ASRA2018]"
    )
    assert presentation.message_lines(message, "[ASRA2018]") == (
        "Hold aspirin 75 mg 6 days: earliest 11 December 2026; the planned date 10 December 2026"
        " is too early.",
        "Confirm with the prescriber or cardiologist before stopping (secondary prevention or a "
        "recent stent needs a shared decision).",
    )


def test_nested_parentheses_inside_a_sentence_are_flattened() -> None:
    assert presentation.message_lines("A (b (c) d) e.") == ("A (b, c d) e.",)


def test_single_parentheses_and_sources_inside_the_text_are_kept() -> None:
    message = "Prior fracture (OR 1.43 per fracture [VERTOS2]). [REFX2022], [VERTOS2]"
    assert presentation.message_lines(message, "[REFX2022], [VERTOS2]") == (
        "Prior fracture (OR 1.43 per fracture [VERTOS2]).",
    )


def test_genant_at_least_and_of_score_in_the_levels_row() -> None:
    page = presentation.evaluation_page(
        {
            "decision": "incomplete",
            "findings": [],
            "levels": [
                {
                    "level": "T12",
                    "target": True,
                    "genant": {
                        "grade": 1,
                        "label": "mild",
                        "height_loss_percent": 21.4,
                        "morphology": "wedge",
                        "at_least": True,
                    },
                    "of_type": "OF2",
                    "sins": {"total": None, "min": 5, "max": 8, "band": None},
                    "of_score": {"total": 4, "band": "conservative", "unknown_items": ["frailty"]},
                }
            ],
        }
    )
    (level,) = page.levels
    assert (level.genant, level.height_loss, level.of_score, level.sins) == (
        "at least 1, mild",
        "at least 21.4 %",
        "4, conservative",
        "5–8",
    )
    assert level.of_score_note == "not recorded, scored 0: frailty"
    assert page.banner.css == "banner-incomplete"


def _hold(message: str, status: str, earliest: str | None, at: str | None) -> dict[str, object]:
    return {
        "rule": "PRE-ANTITHROMBOTIC",
        "kind": "precondition",
        "status": status,
        "level": None,
        "message": f"{message} [ASRA2018]",
        "source": "[ASRA2018]",
        "earliest_date": earliest,
        "earliest_time": at,
    }


def test_before_the_procedure_dates_each_hold_and_lists_it_first() -> None:
    consent = {
        "rule": "PRE-CONSENT",
        "kind": "precondition",
        "status": "present",
        "level": None,
        "message": "Obtain informed consent. [PCE2021]",
        "source": "[PCE2021]",
    }
    page = presentation.evaluation_page(
        {
            "decision": "recommended",
            "levels": [],
            "findings": [
                consent,
                _hold(
                    "Hold enoxaparin 12 hours: earliest 2026-12-10 from 08:00; no procedure date "
                    "planned.",
                    "present",
                    "2026-12-10",
                    "08:00",
                ),
                _hold(
                    "Hold apixaban 3 days: record the date of the last dose.", "missing", None, None
                ),
                _hold(
                    "Hold aspirin 6 days: earliest 2026-12-11; the planned date 2026-12-12 "
                    "respects it.",
                    "absent",
                    "2026-12-11",
                    None,
                ),
            ],
        }
    )
    assert [(a.what, a.when, a.finding.chip.word) for a in page.actions] == [
        (
            "Hold enoxaparin 12 hours",
            "procedure on or after Thursday 10 December 2026 from 08:00",
            "Action needed",
        ),
        ("Hold apixaban 3 days", "date of the last dose needed", "To check"),
        ("Informed consent", "", "Action needed"),
    ]  # a hold the planned date respects is not an action
