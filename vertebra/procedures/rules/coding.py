"""Procedure and diagnosis codes computed from the record (clinical-reference §4.6). Pure.

CPT [AMA]: one first-level code for the session — 22510 (cervicothoracic) or 22511
(lumbosacral) for vertebroplasty, 22513 (thoracic) or 22514 (lumbar) for augmentation with
cavity creation — by the region of the first level treated, then one add-on (22512 / 22515)
for each additional level, whatever its region. Imaging guidance and biopsy are bundled: no
code. ICD-10-CM by etiology and region. The codes are data (`codes.json`); what the reference
leaves open is reported as a note for the coder, never guessed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CODES_FILE = Path(__file__).with_name("codes.json")

CERVICOTHORACIC = frozenset((*(f"C{n}" for n in range(1, 8)), *(f"T{n}" for n in range(1, 13))))
LUMBOSACRAL = frozenset((*(f"L{n}" for n in range(1, 6)), "S1"))
THORACIC = frozenset(f"T{n}" for n in range(1, 13))
LUMBAR = frozenset(f"L{n}" for n in range(1, 6))


@cache
def code_table() -> dict[str, Any]:
    return dict(json.loads(CODES_FILE.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class TreatedLevel:
    level: str  # "T12"
    etiology: str | None  # as on the fracture: osteoporotic, metastasis, myeloma, ...
    cavity_creation: bool = False  # augmentation with cavity creation (kyphoplasty)


@dataclass(frozen=True)
class Code:
    system: str  # "CPT" or "ICD-10-CM"
    code: str
    text: str
    levels: tuple[str, ...]
    incomplete: bool = False  # characters still to be completed by the coder


@dataclass(frozen=True)
class Coding:
    version: str
    procedure: tuple[Code, ...]
    diagnosis: tuple[Code, ...]
    notes: tuple[str, ...]  # what needs a coder's decision


def _cpt(key: str, levels: tuple[str, ...]) -> Code:
    row = code_table()["cpt"][key]
    return Code("CPT", row["code"], row["text"], levels)


def _icd(key: str, levels: tuple[str, ...]) -> Code:
    row = code_table()["icd10cm"][key]
    return Code("ICD-10-CM", row["code"], row["text"], levels, incomplete=bool(row["check"]))


def procedure_codes(levels: list[TreatedLevel]) -> tuple[tuple[Code, ...], tuple[str, ...]]:
    if not levels:
        return (), ("No level treated: no procedure code.",)
    techniques = {level.cavity_creation for level in levels}
    if len(techniques) > 1:
        return (), (
            "Vertebroplasty and augmentation with cavity creation in one session: the CPT "
            "families 22510–22512 and 22513–22515 are not combined automatically; code by hand.",
        )
    first, *others = levels
    if first.cavity_creation:
        if first.level in THORACIC:
            primary = _cpt("augmentation_first_thoracic", (first.level,))
        elif first.level in LUMBAR:
            primary = _cpt("augmentation_first_lumbar", (first.level,))
        else:
            return (), (
                f"Augmentation with cavity creation at {first.level}: CPT 22513/22514 name "
                "thoracic and lumbar levels only; code by hand.",
            )
        add_on = "augmentation_additional"
    else:
        if first.level in CERVICOTHORACIC:
            primary = _cpt("vertebroplasty_first_cervicothoracic", (first.level,))
        elif first.level in LUMBOSACRAL:
            primary = _cpt("vertebroplasty_first_lumbosacral", (first.level,))
        else:
            return (), (f"Unknown level {first.level}: no procedure code.",)
        add_on = "vertebroplasty_additional"
    codes = [primary] + [_cpt(add_on, (other.level,)) for other in others]
    return tuple(codes), ()


def diagnosis_codes(levels: list[TreatedLevel]) -> tuple[tuple[Code, ...], tuple[str, ...]]:
    codes: dict[str, Code] = {}
    notes: list[str] = []

    def add(key: str, level: str) -> None:
        row_code = code_table()["icd10cm"][key]["code"]
        known = codes.get(row_code)
        codes[row_code] = _icd(key, (*(known.levels if known else ()), level))

    for treated in levels:
        region_thoracic, region_lumbar = treated.level in THORACIC, treated.level in LUMBAR
        etiology = treated.etiology
        if etiology == "osteoporotic":
            add("osteoporotic", treated.level)
        elif etiology in ("metastasis", "myeloma"):
            add("neoplastic", treated.level)
            add(etiology, treated.level)
        elif etiology == "traumatic" and (region_thoracic or region_lumbar):
            add("traumatic_thoracic" if region_thoracic else "traumatic_lumbar", treated.level)
        elif etiology in (None, "unknown") and (region_thoracic or region_lumbar):
            add("collapsed_thoracic" if region_thoracic else "collapsed_lumbar", treated.level)
            notes.append(
                f"{treated.level}: etiology not recorded, coded as collapsed vertebra NEC; "
                "M48.55XA (thoracolumbar region) is the coder's choice where it applies."
            )
        else:
            notes.append(
                f"{treated.level}: no diagnosis code in the reference for etiology "
                f"{etiology or 'not recorded'} at this level; code by hand."
            )
    if any(code.incomplete for code in codes.values()):
        notes.append("Codes ending in '-' need their last characters from the code set.")
    return tuple(codes.values()), tuple(notes)


def compute_coding(levels: list[TreatedLevel]) -> Coding:
    """Levels in the order treated; the first decides the first-level CPT code."""
    procedure, procedure_notes = procedure_codes(levels)
    diagnosis, diagnosis_notes = diagnosis_codes(levels)
    return Coding(code_table()["version"], procedure, diagnosis, procedure_notes + diagnosis_notes)
