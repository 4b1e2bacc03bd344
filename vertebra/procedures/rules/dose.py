"""Radiation dose fields of the procedure record (clinical-reference §4.1 step 2, §4.2). Pure.

Stored in one unit each: kerma-area product (KAP) in Gy·cm², reference air kerma (Ka,r) in mGy,
fluoroscopy time in seconds. Values entered in another unit are converted on entry and the
conversion is shown ("1,250 cGy·cm² = 12.5 Gy·cm²"), never applied silently [§4.2].
A substantial radiation dose is flagged when Ka,r > 5 Gy, KAP > 500 Gy·cm² or fluoroscopy time
> 60 min [STECKER2009] (check: the thresholds are settings).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Factor to the stored unit. 1 µGy·m² = 10⁻⁶ Gy × 10⁴ cm² = 0.01 Gy·cm².
KAP_UNITS: dict[str, Decimal] = {
    "Gy·cm²": Decimal(1),
    "dGy·cm²": Decimal("0.1"),
    "cGy·cm²": Decimal("0.01"),
    "mGy·cm²": Decimal("0.001"),
    "µGy·m²": Decimal("0.01"),
}
KAR_UNITS: dict[str, Decimal] = {"mGy": Decimal(1), "Gy": Decimal(1000), "µGy": Decimal("0.001")}
TIME_UNITS: dict[str, Decimal] = {"s": Decimal(1), "min": Decimal(60)}
STORED = {"kap": "Gy·cm²", "kar": "mGy", "fluoroscopy": "s"}
_TABLES = {"kap": KAP_UNITS, "kar": KAR_UNITS, "fluoroscopy": TIME_UNITS}


class DoseError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Converted:
    value: Decimal  # in the stored unit
    shown: str  # what the user sees: the conversion, or the value with its unit


def plain_number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    whole, _, fraction = text.partition(".")
    grouped = f"{int(whole):,}" if whole.lstrip("-").isdigit() else whole
    return f"{grouped}.{fraction}" if fraction else grouped


def convert(field: str, amount: str | Decimal, unit: str) -> Converted:
    """``field`` is kap, kar or fluoroscopy. Refuses a negative value, an unknown unit and
    anything that is not a number."""
    table = _TABLES[field]
    if unit not in table:
        raise DoseError(field, f"unit {unit!r} is not one of {', '.join(table)}")
    try:
        value = Decimal(str(amount).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise DoseError(field, f"{amount!r} is not a number") from exc
    if not value.is_finite() or value < 0:
        raise DoseError(field, "must be zero or more")
    stored = value * table[unit]
    target = STORED[field]
    if unit == target:
        return Converted(stored, f"{plain_number(stored)} {target}")
    return Converted(stored, f"{plain_number(value)} {unit} = {plain_number(stored)} {target}")


@dataclass(frozen=True)
class DoseThresholds:
    """[STECKER2009] (check): a substantial radiation dose level above any of these."""

    kar_mgy: Decimal = Decimal(5000)
    kap_gy_cm2: Decimal = Decimal(500)
    fluoroscopy_s: Decimal = Decimal(3600)


@dataclass(frozen=True)
class DoseFlag:
    """``substantial`` is None when no dose is recorded (unknown, never assumed low); False
    means no recorded field is above its threshold, and ``missing`` names the fields that
    were not recorded, so the check is read as far as it goes."""

    substantial: bool | None
    reasons: tuple[str, ...]
    missing: tuple[str, ...]


def substantial_dose(
    *,
    kar_mgy: Decimal | None,
    kap_gy_cm2: Decimal | None,
    fluoroscopy_s: Decimal | None,
    thresholds: DoseThresholds = DoseThresholds(),
) -> DoseFlag:
    reasons = []
    if kar_mgy is not None and kar_mgy > thresholds.kar_mgy:
        reasons.append(f"Ka,r {plain_number(kar_mgy)} mGy > {plain_number(thresholds.kar_mgy)} mGy")
    if kap_gy_cm2 is not None and kap_gy_cm2 > thresholds.kap_gy_cm2:
        reasons.append(
            f"KAP {plain_number(kap_gy_cm2)} Gy·cm² > {plain_number(thresholds.kap_gy_cm2)} Gy·cm²"
        )
    if fluoroscopy_s is not None and fluoroscopy_s > thresholds.fluoroscopy_s:
        reasons.append(
            f"fluoroscopy {plain_number(fluoroscopy_s / 60)} min > "
            f"{plain_number(thresholds.fluoroscopy_s / 60)} min"
        )
    missing = tuple(
        name
        for name, value in (
            ("Ka,r", kar_mgy),
            ("KAP", kap_gy_cm2),
            ("fluoroscopy time", fluoroscopy_s),
        )
        if value is None
    )
    if reasons:
        return DoseFlag(True, tuple(f"{reason} [STECKER2009]" for reason in reasons), missing)
    return DoseFlag(None if len(missing) == 3 else False, (), missing)
