"""Benchmark of the candidate-evaluation rule engine (vertebra.evaluation.rules), plain Python.

Generates 100,000 candidate snapshots with a fixed seed (1–4 levels, every §2.1 group, some
facts missing, antithrombotics with dates) in their decoded JSON form, then runs
parse_snapshot + evaluate over all of them in one process, five times: what a request or a batch
pays for one evaluation. Prints each run, the median, and beside it the median of parse_snapshot
alone measured in the same runs (the baseline: the share of the work that is input checking).

Target: parse + evaluate ≥ 11,000 per second on one core (issue 13 §5: the figure of the Python
source when the mypyc compile was removed). Pin one core to compare runs: taskset -c 1.

    python bench/evaluate.py [--count N] [--runs R]
"""

from __future__ import annotations

import argparse
import datetime as dt
import pathlib
import random
import statistics
import sys
import time
from decimal import Decimal
from typing import Any

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from vertebra.evaluation.rules import evaluate, parse_snapshot

SEED = 20261123
TARGET_PER_SECOND = 11_000
LEVELS = [f"T{n}" for n in range(4, 13)] + [f"L{n}" for n in range(1, 6)] + ["C5", "S1"]
DRUGS = [
    "aspirin",
    "clopidogrel",
    "apixaban",
    "Xarelto",
    "warfarin",
    "enoxaparin",
    "dabigatran",
    "ibuprofen",
    "naproxen",
    "metamizole",
]
START = dt.date(2026, 10, 1)


def _maybe(rng: random.Random, value: Any, missing: float = 0.1) -> Any:
    return None if rng.random() < missing else value


def _date(rng: random.Random, span_days: int = 90) -> str:
    return (START + dt.timedelta(days=rng.randrange(span_days))).isoformat()


def _fracture(rng: random.Random, level: str) -> dict[str, Any]:
    etiology = rng.choices(
        ["osteoporotic", "metastasis", "myeloma", "haemangioma", "traumatic", "unknown"],
        weights=[70, 10, 5, 2, 8, 5],
    )[0]
    reference = Decimal(rng.randrange(220, 340)) / 10
    heights = {
        "anterior": reference * Decimal(rng.randrange(40, 100)) / 100,
        "middle": reference * Decimal(rng.randrange(50, 100)) / 100,
        "posterior": reference * Decimal(rng.randrange(70, 101)) / 100,
    }
    if rng.random() < 0.85:
        heights["reference"] = reference
    fracture: dict[str, Any] = {
        "level": level,
        "etiology": _maybe(rng, etiology, 0.05),
        "high_energy_trauma": _maybe(rng, rng.random() < 0.05),
        "onset_date": _maybe(rng, _date(rng)),
        "mri_oedema": _maybe(rng, rng.random() < 0.8, 0.15),
        "heights_mm": _maybe(rng, heights, 0.1),
        "kyphotic_deformity": _maybe(rng, rng.random() < 0.4),
        "height_loss_progression": _maybe(rng, rng.random() < 0.3),
        "posterior_wall": _maybe(rng, rng.choice(["intact", "intact", "minor", "distinct"])),
        "retropulsion": _maybe(rng, rng.random() < 0.05),
        "canal_compromise_percent": _maybe(rng, rng.choice([0, 0, 0, 5, 15])),
        "epidural_extension": _maybe(rng, rng.random() < 0.05),
        "intravertebral_cleft": _maybe(rng, rng.random() < 0.15),
        "cortical_disruption": _maybe(rng, rng.random() < 0.2),
        "both_endplates": _maybe(rng, rng.random() < 0.1),
        "tension_band_failure": _maybe(rng, rng.random() < 0.03),
    }
    if fracture["mri_oedema"] is None:
        fracture["bone_scan_uptake"] = _maybe(rng, rng.random() < 0.7, 0.5)
    if etiology in ("metastasis", "myeloma"):
        fracture["lesion"] = _maybe(rng, rng.choice(["lytic", "mixed", "blastic"]))
        fracture["sins"] = {
            "pain": _maybe(rng, rng.choice(["mechanical", "occasional", "none"])),
            "alignment": _maybe(rng, rng.choice(["subluxation", "de_novo_deformity", "normal"])),
            "collapse": _maybe(rng, rng.choice(["over_50", "under_50", "none"])),
            "posterolateral": _maybe(rng, rng.choice(["bilateral", "unilateral", "none"])),
        }
    return {key: value for key, value in fracture.items() if value is not None}


def snapshot(rng: random.Random) -> dict[str, Any]:
    """One realistic candidate snapshot (decoded JSON form, numbers as Decimal)."""
    levels = rng.sample(LEVELS, rng.choices([1, 2, 3, 4], weights=[55, 25, 12, 8])[0])
    drugs = [
        {
            "drug": rng.choice(DRUGS),
            "last_dose_date": _date(rng, 100),
            **({"last_dose_time": f"{rng.randrange(24):02d}:00"} if rng.random() < 0.3 else {}),
        }
        for _ in range(rng.choices([0, 1, 2], weights=[60, 30, 10])[0])
    ]
    return {
        "patient": {
            "age_years": rng.randrange(40, 96),
            "sex": rng.choice(["female", "female", "male"]),
            "pregnant": _maybe(rng, False, 0.3),
            "hospitalized": _maybe(rng, rng.random() < 0.3),
            "asa_class": rng.randrange(1, 5),
            "can_lie_prone": _maybe(rng, True),
        },
        "pain": {
            "nrs": _maybe(rng, rng.randrange(0, 11), 0.05),
            "trend": _maybe(rng, rng.choice(["worsening", "stable", "improving"])),
            "duration_weeks": Decimal(rng.randrange(1, 30)),
            "attributable_to_fracture": _maybe(rng, rng.random() < 0.9),
            "radicular": _maybe(rng, rng.random() < 0.1),
        },
        "conservative_care": {
            "tried": _maybe(rng, rng.random() < 0.8),
            "non_ambulatory_due_to_pain": _maybe(rng, rng.random() < 0.3),
            "analgesic_side_effects": _maybe(rng, rng.random() < 0.3),
        },
        "function": {"rmdq": _maybe(rng, rng.randrange(0, 25)), "ambulation": "walker"},
        "neuro": {"deficit": _maybe(rng, rng.random() < 0.05), "myelopathy": False},
        "infection": {"local": _maybe(rng, False), "systemic": _maybe(rng, rng.random() < 0.03)},
        "coagulation": {
            "inr": _maybe(rng, Decimal(rng.randrange(9, 25)) / 10, 0.2),
            "platelets_10e9_per_l": _maybe(rng, rng.randrange(30, 400), 0.2),
            "correctable": _maybe(rng, True, 0.3),
            "crcl_ml_min": _maybe(rng, rng.randrange(20, 120), 0.5),
            "anticoagulants": _maybe(rng, drugs, 0.1),
        },
        "allergies": {"pmma": _maybe(rng, False), "contrast": _maybe(rng, rng.random() < 0.05)},
        "bone_health": {
            "t_score": _maybe(rng, Decimal(rng.randrange(-45, 5)) / 10),
            "prior_vertebral_fractures": _maybe(rng, rng.randrange(0, 4)),
            "chronic_corticosteroids": _maybe(rng, rng.random() < 0.1),
        },
        "surgical_backup_available": _maybe(rng, True),
        "planned_procedure_date": _maybe(rng, _date(rng, 120), 0.3),
        "fractures": [_fracture(rng, level) for level in levels],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(SEED)
    documents = [snapshot(rng) for _ in range(args.count)]

    rates, parse_rates = [], []
    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        for document in documents:
            parse_snapshot(document)
        parse_rates.append(args.count / (time.perf_counter() - started))
        started = time.perf_counter()
        for document in documents:
            evaluate(parse_snapshot(document))
        rates.append(args.count / (time.perf_counter() - started))
        print(
            f"run {run}: parse + evaluate {rates[-1]:,.0f}/s; "
            f"parse_snapshot alone {parse_rates[-1]:,.0f}/s"
        )
    decisions: dict[str, int] = {}
    for document in documents[:10_000]:
        decision = evaluate(parse_snapshot(document)).decision
        decisions[decision] = decisions.get(decision, 0) + 1

    median, parse_median = statistics.median(rates), statistics.median(parse_rates)
    verdict = "met" if median >= TARGET_PER_SECOND else "NOT met"
    print(
        f"median of {args.runs} runs: parse + evaluate {median:,.0f}/s "
        f"(target ≥ {TARGET_PER_SECOND:,} on one core: {verdict}); "
        f"parse alone {parse_median:,.0f}/s; ratio parse + evaluate / parse alone "
        f"{median / parse_median:.2f}"
    )
    print(f"decisions in the first 10,000: {dict(sorted(decisions.items()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
