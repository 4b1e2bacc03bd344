"""The demo clinic's fictitious people: every name is visibly made up and every MRN starts
with DEMO-."""

from __future__ import annotations

import datetime as dt
import random

GIVEN_NAMES = (
    "Ada",
    "Bruno",
    "Clara",
    "Dmitri",
    "Elif",
    "Fatou",
    "Gustav",
    "Hana",
    "Ines",
    "József",
    "Kasia",
    "Lars",
    "Maëlle",
    "Noor",
    "Otto",
    "Paloma",
    "Quentin",
    "Renée",
    "Søren",
    "Tülin",
)
FAMILY_NAMES = (
    "Testperson",
    "Example",
    "Sample",
    "Fictive",
    "Placeholder",
    "Mockwell",
    "Dummyford",
    "Imaginary",
    "Specimen",
    "Notreal",
)
REFERRERS = (
    "Dr A. Demo-General (GP)",
    "Dr B. Demo-Ortho",
    "Dr C. Demo-Onco",
    "Emergency dept (demo)",
)


def demographics(rng: random.Random, *, seed: int, index: int, today: dt.date) -> dict[str, object]:
    return {
        "mrn": f"DEMO-{seed % 1000:03d}{index + 1:05d}",
        "family_name": f"{FAMILY_NAMES[index % len(FAMILY_NAMES)]}-Demo",
        "given_name": GIVEN_NAMES[rng.randrange(len(GIVEN_NAMES))],
        "birth_date": today.replace(year=today.year - rng.randint(62, 91), day=1),
        "sex": rng.choices(("female", "male"), (3, 1))[0],
        "phone": "",
        "email": "",
    }
