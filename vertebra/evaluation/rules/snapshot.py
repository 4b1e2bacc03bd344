"""Parse and validate a candidate snapshot (clinical-reference §2.1).

Input is the decoded JSON (``json.loads(text, parse_float=decimal.Decimal)``); ints, floats and
Decimals are all accepted as numbers, floats through ``Decimal(str(x))`` so that ``19.9`` stays
19.9. Absent keys and explicit ``null`` both mean "not assessed". Anything else that does not fit
§2.1 (wrong type, out of range, unknown key or enum value, duplicate level) raises
``SnapshotError`` naming the dotted path of the field, e.g. ``fractures[0].level``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from vertebra.evaluation.rules import model
from vertebra.evaluation.rules.model import (
    AllergyFacts,
    Antithrombotic,
    BoneHealthFacts,
    CandidateSnapshot,
    CoagulationFacts,
    ConservativeCareFacts,
    FractureFacts,
    FunctionFacts,
    Heights,
    InfectionFacts,
    NeuroFacts,
    PainFacts,
    PatientFacts,
    SinsFacts,
)

ROOT_PATH = "snapshot"
# Input sanity bounds, not clinical thresholds: they keep exact arithmetic small and fast.
_MAX_DECIMAL_PLACES = 20
_MAX_MAGNITUDE_DIGITS = 9  # |x| < 10^9
_MAX_TEXT = 200
_SHOWN_LENGTH = 40
_DATE_LENGTH = len("YYYY-MM-DD")
_TIME_LENGTH = len("HH:MM")
_HOURS_PER_DAY = 24
_MINUTES_PER_HOUR = 60


class SnapshotError(ValueError):
    """Invalid snapshot input. ``path`` is the dotted field path, ``message`` says what is wrong."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def _join(path: str, key: str) -> str:
    return key if path in ("", ROOT_PATH) else f"{path}.{key}"


def _shown(value: object) -> str:
    """A short JSON-like rendering of a bad value for the error message."""
    if isinstance(value, Decimal):
        text = str(value)
    elif isinstance(value, dict):
        text = "an object"
    elif isinstance(value, list | tuple):
        text = "a list"
    else:
        try:
            text = json.dumps(value)
        except (TypeError, ValueError):
            text = type(value).__name__
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 3] + "..."


# --- scalar validators: each returns the parsed value, or raises SnapshotError -------------------


def _bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise SnapshotError(path, f"must be true or false (got {_shown(value)})")
    return value


def _int_range(low: int, high: int) -> Callable[[object, str], int]:
    def check(value: object, path: str) -> int:
        # bool is an int subclass in Python; JSON true is not a count.
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise SnapshotError(
                path, f"must be an integer from {low} to {high} (got {_shown(value)})"
            )
        return value

    return check


def _as_decimal(value: object, path: str) -> Decimal:
    if isinstance(value, bool):
        raise SnapshotError(path, f"must be a number (got {_shown(value)})")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(str(value))
    else:
        raise SnapshotError(path, f"must be a number (got {_shown(value)})")
    if not number.is_finite():
        raise SnapshotError(path, f"must be a finite number (got {_shown(value)})")
    # The adjusted exponent compares the magnitude without arithmetic, which would overflow
    # the decimal context for exponents such as 1e999999999.
    if not number.is_zero() and number.adjusted() >= _MAX_MAGNITUDE_DIGITS:
        raise SnapshotError(path, f"is out of range (got {_shown(value)})")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -_MAX_DECIMAL_PLACES:
        raise SnapshotError(
            path, f"has more than {_MAX_DECIMAL_PLACES} decimal places (got {_shown(value)})"
        )
    # Normalise -0 to 0 so that equal values compare and hash alike.
    return number + 0 if number.is_zero() else number


def _number(
    *, minimum: Decimal | None = None, maximum: Decimal | None = None, positive: bool = False
) -> Callable[[object, str], Decimal]:
    def check(value: object, path: str) -> Decimal:
        number = _as_decimal(value, path)
        if positive and number <= 0:
            raise SnapshotError(path, f"must be a number above 0 (got {_shown(value)})")
        if minimum is not None and maximum is not None and not minimum <= number <= maximum:
            raise SnapshotError(
                path, f"must be a number from {minimum} to {maximum} (got {_shown(value)})"
            )
        if minimum is not None and number < minimum:
            raise SnapshotError(path, f"must be a number ≥ {minimum} (got {_shown(value)})")
        return number

    return check


def _enum(options: tuple[str, ...]) -> Callable[[object, str], str]:
    allowed = frozenset(options)
    listing = ", ".join(options)

    def check(value: object, path: str) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise SnapshotError(path, f"must be one of {listing} (got {_shown(value)})")
        return value

    return check


def _date(value: object, path: str) -> dt.date:
    # Strict YYYY-MM-DD: date.fromisoformat alone would also accept "20261210".
    if (
        isinstance(value, str)
        and len(value) == _DATE_LENGTH
        and value[4] == "-"
        and value[7] == "-"
        and (value[:4] + value[5:7] + value[8:]).isdigit()
        and value.isascii()
    ):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise SnapshotError(path, f"must be a date YYYY-MM-DD (got {_shown(value)})")


def _time(value: object, path: str) -> dt.time:
    if (
        isinstance(value, str)
        and len(value) == _TIME_LENGTH
        and value[2] == ":"
        and (value[:2] + value[3:]).isdigit()
        and value.isascii()
    ):
        hours, minutes = int(value[:2]), int(value[3:])
        if hours < _HOURS_PER_DAY and minutes < _MINUTES_PER_HOUR:
            return dt.time(hours, minutes)
    raise SnapshotError(path, f"must be a time HH:MM (got {_shown(value)})")


def _text(value: object, path: str) -> str:
    # Printable only: a control character or a lone surrogate (JSON allows "\ud800") cannot
    # be printed, encoded as UTF-8 or stored.
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > _MAX_TEXT
        or not value.isprintable()
    ):
        raise SnapshotError(
            path,
            f"must be a non-empty line of printable text of at most {_MAX_TEXT} characters "
            f"(got {_shown(value)})",
        )
    return value.strip()


def _level(value: object, path: str) -> str:
    if not isinstance(value, str) or value not in model.LEVEL_INDEX:
        raise SnapshotError(
            path, f"unknown level {_shown(value)} (expected C1–C7, T1–T12, L1–L5 or S1)"
        )
    return value


# --- objects ---------------------------------------------------------------------------------

Field = Callable[[object, str], Any]
T = TypeVar("T")


def _object(value: object, path: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise SnapshotError(path, f"must be an object (got {_shown(value)})")
    return value


def _text_keys(value: Iterable[object], path: str) -> None:
    """JSON keys are always text; decoded JSON never fails this. Checked before any other error
    of an object: a key that is not text is also not a field, so a valid object needs no check."""
    if not all(isinstance(key, str) for key in value):  # pragma: no cover
        raise SnapshotError(path, "object keys must be text")


def _fields(value: Mapping[str, object], path: str, spec: Mapping[str, Field]) -> dict[str, Any]:
    """Validate every key of ``value`` against ``spec``; null values are left out (not assessed)."""
    if not value.keys() <= spec.keys():
        _text_keys(value, path)
        unknown = next(key for key in value if key not in spec)
        raise SnapshotError(_join(path, unknown), "unknown field")
    prefix = _join(path, "")  # the path of a field is prefix + its key
    parsed: dict[str, Any] = {}
    for key, check in spec.items():
        raw = value.get(key)
        if raw is not None:
            parsed[key] = check(raw, prefix + key)
    return parsed


def _group(cls: Callable[..., T], spec: Mapping[str, Field]) -> Callable[[object, str], T]:
    def check(value: object, path: str) -> T:
        return cls(**_fields(_object(value, path), path, spec))

    return check


def _list(item: Callable[[object, str], T]) -> Callable[[object, str], tuple[T, ...]]:
    def check(value: object, path: str) -> tuple[T, ...]:
        if not isinstance(value, list):
            raise SnapshotError(path, f"must be a list (got {_shown(value)})")
        return tuple(item(entry, f"{path}[{index}]") for index, entry in enumerate(value))

    return check


_ZERO = Decimal(0)
_HUNDRED = Decimal(100)
_non_negative = _number(minimum=_ZERO)

_PATIENT = _group(
    PatientFacts,
    {
        "age_years": _int_range(0, 150),
        "sex": _enum(model.SEXES),
        "pregnant": _bool,
        "hospitalized": _bool,
        "asa_class": _int_range(1, 6),
        "can_lie_prone": _bool,
    },
)
_PAIN = _group(
    PainFacts,
    {
        "nrs": _int_range(0, 10),
        "trend": _enum(model.PAIN_TRENDS),
        "duration_weeks": _non_negative,
        "attributable_to_fracture": _bool,
        "radicular": _bool,
    },
)
_CONSERVATIVE = _group(
    ConservativeCareFacts,
    {
        "tried": _bool,
        "duration_weeks": _non_negative,
        "non_ambulatory_due_to_pain": _bool,
        "physical_therapy_intolerable": _bool,
        "analgesic_side_effects": _bool,
    },
)
_FUNCTION = _group(
    FunctionFacts, {"rmdq": _int_range(0, 24), "ambulation": _enum(model.AMBULATION)}
)
_NEURO = _group(NeuroFacts, {"deficit": _bool, "myelopathy": _bool})
_INFECTION = _group(InfectionFacts, {"local": _bool, "systemic": _bool})


def _antithrombotic(value: object, path: str) -> Antithrombotic:
    obj = _object(value, path)
    if obj.get("drug") is None:
        _text_keys(obj, path)
        raise SnapshotError(_join(path, "drug"), "is required (the drug's name)")
    return Antithrombotic(
        **_fields(
            obj,
            path,
            {
                "drug": _text,
                "last_dose_date": _date,
                "last_dose_time": _time,
                "intensity": _enum(model.INTENSITIES),
            },
        )
    )


_COAGULATION = _group(
    CoagulationFacts,
    {
        "inr": _non_negative,
        "platelets_10e9_per_l": _non_negative,
        "correctable": _bool,
        "crcl_ml_min": _non_negative,
        "anticoagulants": _list(_antithrombotic),
    },
)
_ALLERGIES = _group(AllergyFacts, {"pmma": _bool, "contrast": _bool, "local_anaesthetic": _bool})
_BONE_HEALTH = _group(
    BoneHealthFacts,
    {
        "t_score": _number(),
        "osteoporosis_treatment": _bool,
        "prior_vertebral_fractures": _int_range(0, 1000),
        "chronic_corticosteroids": _bool,
    },
)
_HEIGHTS = _group(
    Heights,
    {
        "anterior": _non_negative,
        "middle": _non_negative,
        "posterior": _non_negative,
        "reference": _number(positive=True),
    },
)
_SINS = _group(
    SinsFacts,
    {
        "pain": _enum(model.SINS_PAIN),
        "alignment": _enum(model.SINS_ALIGNMENT),
        "collapse": _enum(model.SINS_COLLAPSE),
        "posterolateral": _enum(model.SINS_POSTEROLATERAL),
    },
)
_FRACTURE_SPEC: Mapping[str, Field] = {
    "level": _level,
    "etiology": _enum(model.ETIOLOGIES),
    "high_energy_trauma": _bool,
    "onset_date": _date,
    "mri_oedema": _bool,
    "bone_scan_uptake": _bool,
    "heights_mm": _HEIGHTS,
    "kyphotic_deformity": _bool,
    "height_loss_progression": _bool,
    "posterior_wall": _enum(model.POSTERIOR_WALL),
    "retropulsion": _bool,
    "canal_compromise_percent": _number(minimum=_ZERO, maximum=_HUNDRED),
    "epidural_extension": _bool,
    "intravertebral_cleft": _bool,
    "cortical_disruption": _bool,
    "both_endplates": _bool,
    "tension_band_failure": _bool,
    "lesion": _enum(model.LESIONS),
    "sins": _SINS,
}


def _fracture(value: object, path: str) -> FractureFacts:
    obj = _object(value, path)
    if obj.get("level") is None:
        _text_keys(obj, path)
        raise SnapshotError(_join(path, "level"), "is required (one of C1–C7, T1–T12, L1–L5, S1)")
    return FractureFacts(**_fields(obj, path, _FRACTURE_SPEC))


def _fractures(value: object, path: str) -> tuple[FractureFacts, ...]:
    fractures = _list(_fracture)(value, path)
    seen: set[str] = set()
    for index, fracture in enumerate(fractures):
        if fracture.level in seen:
            raise SnapshotError(
                f"{path}[{index}].level", f"duplicate level {fracture.level} (each level once)"
            )
        seen.add(fracture.level)
    return fractures


_SNAPSHOT_SPEC: Mapping[str, Field] = {
    "patient": _PATIENT,
    "pain": _PAIN,
    "conservative_care": _CONSERVATIVE,
    "function": _FUNCTION,
    "neuro": _NEURO,
    "infection": _INFECTION,
    "coagulation": _COAGULATION,
    "allergies": _ALLERGIES,
    "bone_health": _BONE_HEALTH,
    "surgical_backup_available": _bool,
    "planned_procedure_date": _date,
    "fractures": _fractures,
}


def parse_snapshot(data: object) -> CandidateSnapshot:
    """Validate decoded JSON against §2.1 and return the frozen snapshot."""
    obj = _object(data, ROOT_PATH)
    return CandidateSnapshot(**_fields(obj, ROOT_PATH, _SNAPSHOT_SPEC))
