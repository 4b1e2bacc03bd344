"""Search normalisation (pure): case- and accent-insensitive matching on every database."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Apostrophes join (O'Brien → obrien); other punctuation separates words (Müller-Łęcka).
_APOSTROPHES = re.compile(r"['\u2019\u2018`´]")
_PUNCTUATION = re.compile(r"[^\w\s]|_")
# Letters that do not decompose into base + accent under NFKD.
_EXTRA_FOLDS = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d"})


def normalise(text: str) -> str:
    """'  Zoë  Müller-Łęcka ' → 'zoe muller lecka'; "O'Brien" → 'obrien'."""
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_EXTRA_FOLDS))
    stripped = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = _PUNCTUATION.sub(" ", _APOSTROPHES.sub("", stripped))
    return _SPACES.sub(" ", words).strip()


def search_text(*parts: str) -> str:
    return " ".join(normalise(p) for p in parts if p)


_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")


def parse_query_date(query: str) -> dt.date | None:
    """A date of birth typed into the search box, in ISO or day-first form."""
    text = query.strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None
