"""How a stored evaluation result reads on the page and in the summary PDF.

Display only: nothing here decides. The rules (``evaluation/rules/``) produce the decision and
the findings; this module gives each rule id a clinical title, each finding a status chip by
meaning (colour, icon and word), the decision a banner, and the work-up a dated "before the
procedure" list. Messages are shown as the rules wrote them, with three display changes: the
trailing source keys move to small print, ISO dates read as dates ("11 December 2026"), and a
trailing parenthetical that holds another one becomes a line of its own (no nested parentheses).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vertebra.evaluation.selectors import KIND_ORDER

# Every rule id the engine can emit (grep "RULE-ID" in rules/): a test checks this covers them.
TITLES: Mapping[str, str] = {
    "IND-ACUTE-FRACTURE": "Acute fracture on imaging",
    "IND-PAIN-SEVERITY": "Severe pain",
    "IND-CONSERVATIVE-CARE": "Non-surgical management given or failed",
    "IND-PAIN-COURSE": "Pain worsening, or stable with deformity or disability",
    "CI-PAIN-NOT-FRACTURE": "Pain not explained by the fracture",
    "CI-IMPROVING": "Pain improving on medical therapy",
    "CI-NO-ACUTE-FRACTURE": "No acute fracture",
    "CI-INFECTION": "Active infection",
    "CI-COAGULOPATHY": "Uncorrectable coagulopathy",
    "CI-PREGNANCY": "Pregnancy",
    "CI-ALLERGY": "Allergy to bone cement or its opacifier",
    "RC-AGE-UNDER-18": "Patient under 18",
    "RC-NEURO": "Radicular pain or neurological deficit",
    "RC-LEVELS": "More than three levels in one session",
    "RC-NO-BACKUP": "No surgical back-up",
    "RC-LEVEL-RANGE": "Acute level outside T1–L5",
    "RC-HIGH-ENERGY-TRAUMA": "High-energy trauma",
    "RC-RETROPULSION": "Retropulsion or posterior-wall involvement",
    "RC-EPIDURAL": "Epidural tumour extension",
    "RC-SEVERE-COLLAPSE": "Severe collapse, vertebra plana",
    "RC-INSTABILITY": "Spinal instability",
    "PRE-IMAGING": "Further imaging",
    "PRE-COAG": "Coagulation tests: INR and platelets",
    "PRE-ANTITHROMBOTIC": "Antithrombotic hold",
    "PRE-PREGNANCY-TEST": "Pregnancy test",
    "PRE-BIOPSY": "Biopsy during the procedure",
    "PRE-BMD": "Bone-density referral and osteoporosis care",
    "PRE-ALLERGY-CONTRAST": "Contrast allergy",
    "PRE-ALLERGY-LA": "Local-anaesthetic allergy",
    "PRE-CONSENT": "Informed consent",
    "RISK-CEMENT-LEAKAGE": "Cement leakage risk",
    "RISK-CEMENT-EMBOLISM": "Cement embolism risk",
    "RISK-NEW-FRACTURE": "New adjacent fracture risk",
}


@dataclass(frozen=True)
class Chip:
    """A status by meaning: a CSS class (colour), an icon and a word, never colour alone."""

    css: str
    icon: str
    word: str


MET = Chip("chip-met", "✓", "Met")
NOT_MET = Chip("chip-against", "✗", "Not met")
CONTRAINDICATION = Chip("chip-against", "✗", "Present")
REVIEW = Chip("chip-review", "⚠", "Present, review")
ACTION = Chip("chip-action", "→", "Action needed")
TO_CHECK = Chip("chip-missing", "?", "To check")
MISSING = Chip("chip-missing", "?", "Missing")
ABSENT = Chip("chip-absent", "–", "Absent")
NOT_NEEDED = Chip("chip-absent", "–", "Not needed")
RISK = Chip("chip-risk", "!", "Risk factor")


def chip_for(kind: str, status: str) -> Chip:
    if status == "missing":
        return TO_CHECK if kind == "precondition" else MISSING
    if kind == "indication":
        return MET if status == "met" else NOT_MET
    if kind == "risk":
        return RISK
    if status == "absent":
        return NOT_NEEDED if kind == "precondition" else ABSENT
    if kind == "precondition":
        return ACTION
    if kind == "relative_contraindication":
        return REVIEW
    return CONTRAINDICATION


@dataclass(frozen=True)
class Banner:
    decision: str
    css: str
    icon: str
    label: str
    lead: str
    reasons: tuple[str, ...]


_BANNERS: Mapping[str, tuple[str, str, str]] = {
    "recommended": (
        "✓",
        "Recommended",
        "Every indication is met; no contraindication or review flag is present.",
    ),
    "not_recommended": (
        "✗",
        "Not recommended",
        "An absolute contraindication is present or an indication is not met:",
    ),
    "specialist_review": (
        "⚠",
        "Specialist review",
        "A relative contraindication or review flag is present: discuss before deciding:",
    ),
    "incomplete": (
        "?",
        "Incomplete",
        "Information the indication criteria need is missing: record it and evaluate again:",
    ),
}


@dataclass(frozen=True)
class Finding:
    rule: str
    title: str
    kind: str
    status: str
    level: str | None
    chip: Chip
    lines: tuple[str, ...]
    source: str
    earliest_date: dt.date | None
    earliest_time: str | None

    @property
    def heading(self) -> str:
        return f"{self.title} · {self.level}" if self.level else self.title


@dataclass(frozen=True)
class Action:
    """One thing to do before the procedure, with its date when the rules give one (``when``,
    else empty: the chip says whether it is an action or a fact to check)."""

    what: str
    when: str
    finding: Finding


@dataclass(frozen=True)
class Group:
    kind: str
    title: str
    notable: tuple[Finding, ...]
    absent: tuple[Finding, ...]


@dataclass(frozen=True)
class Level:
    level: str
    target: bool
    genant: str
    height_loss: str
    morphology: str
    of_type: str
    of_score: str
    of_score_note: str
    sins: str


@dataclass(frozen=True)
class EvaluationPage:
    banner: Banner
    actions: tuple[Action, ...]
    levels: tuple[Level, ...]
    groups: tuple[Group, ...]


_MONTHS = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def long_date(day: dt.date) -> str:
    """'Friday 11 December 2026': the date as the physician says it, in any locale."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def _readable_dates(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        try:
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return match[0]
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"

    return _ISO_DATE.sub(replace, text)


def _depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth = max(depth - 1, 0)
    return deepest


def _matching_open(text: str) -> int | None:
    """Index of the '(' matching the ')' that ends ``text``."""
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        if text[index] == ")":
            depth += 1
        elif text[index] == "(":
            depth -= 1
            if depth == 0:
                return index
    return None


def _sentence(text: str) -> str:
    text = text.strip().rstrip(";,:").rstrip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _flatten(text: str) -> str:
    """Parentheses inside parentheses become commas: 'a (b (c))' → 'a (b, c)'."""
    out, depth = [], 0
    for char in text:
        if char == "(":
            depth += 1
            out.append("(" if depth == 1 else ", ")
        elif char == ")":
            if depth == 1:
                out.append(")")
            depth = max(depth - 1, 0)
        else:
            out.append(char)
    return re.sub(r"\s+,", ",", "".join(out))


def message_lines(message: str, source: str = "") -> tuple[str, ...]:
    """A finding's message as displayed: without its trailing source keys, ISO dates as dates,
    and no parentheses inside parentheses (a trailing one becomes the next line)."""
    text = message.strip()
    if source and text.endswith(source):
        text = text[: -len(source)].rstrip()
    return tuple(_split(_readable_dates(text)))


def _split(text: str) -> list[str]:
    if _depth(text) <= 1:
        return [text]
    body = text[:-1] if text.endswith(".") else text
    opened = _matching_open(body) if body.endswith(")") else None
    if opened:
        head = _sentence(body[:opened])
        return [head, *_split(_sentence(body[opened + 1 : -1]))]
    return [_flatten(text)]


def finding_for(raw: Mapping[str, Any]) -> Finding:
    earliest = raw.get("earliest_date")
    return Finding(
        rule=raw["rule"],
        title=TITLES.get(raw["rule"], raw["rule"]),
        kind=raw["kind"],
        status=raw["status"],
        level=raw.get("level"),
        chip=chip_for(raw["kind"], raw["status"]),
        lines=message_lines(raw["message"], raw["source"]),
        source=raw["source"],
        earliest_date=dt.date.fromisoformat(earliest) if earliest else None,
        earliest_time=raw.get("earliest_time"),
    )


_HOLD = re.compile(r"^(Hold .+?): (?:earliest|record|the last dose)")


def _action(finding: Finding, message: str) -> Action:
    if finding.rule == "PRE-ANTITHROMBOTIC":
        match = _HOLD.match(message)
        what = match[1] if match else finding.title
        if finding.earliest_date is not None:
            when = f"procedure on or after {long_date(finding.earliest_date)}"
            if finding.earliest_time:
                when += f" from {finding.earliest_time}"
            return Action(what, when, finding)
        return Action(what, "date of the last dose needed", finding)
    return Action(finding.heading, "", finding)


def _reasons(decision: str, findings: Sequence[Finding]) -> tuple[str, ...]:
    def named(items: list[Finding]) -> tuple[str, ...]:
        return tuple(f"{f.heading} ({f.chip.word.lower()})" for f in items)

    if decision == "not_recommended":
        return named(
            [
                f
                for f in findings
                if (f.kind == "absolute_contraindication" and f.status == "present")
                or (f.kind == "indication" and f.status == "not_met")
            ]
        )
    if decision == "specialist_review":
        return named(
            [f for f in findings if f.kind == "relative_contraindication" and f.status == "present"]
        )
    if decision == "incomplete":
        return named([f for f in findings if f.kind == "missing_information"])
    met = [f for f in findings if f.kind == "indication" and f.status == "met"]
    return (f"Indications met: {len(met)} of {len(met)}.",) if met else ()


def _banner(decision: str, findings: Sequence[Finding]) -> Banner:
    icon, label, lead = _BANNERS.get(decision, ("?", decision, ""))
    return Banner(decision, f"banner-{decision}", icon, label, lead, _reasons(decision, findings))


def _level(raw: Mapping[str, Any]) -> Level:
    genant = raw.get("genant")
    if genant:
        prefix = "at least " if genant.get("at_least") else ""
        grade = f"{prefix}{genant['grade']}, {genant['label']}"
        loss = f"{prefix}{genant['height_loss_percent']} %"
        morphology = genant.get("morphology") or "—"
    else:
        grade, loss, morphology = "not assessable", "—", "—"
    score = raw.get("of_score")
    if score:
        of_score = f"{score['total']}, {score['band']}"
        unknown = score.get("unknown_items") or []
        note = f"not recorded, scored 0: {', '.join(unknown)}" if unknown else ""
    else:
        of_score, note = "—", ""
    sins = raw.get("sins")
    if sins:
        total = sins.get("total")
        value = str(total) if total is not None else f"{sins['min']}–{sins['max']}"
        sins_text = f"{value}, {sins['band']}" if sins.get("band") else value
    else:
        sins_text = "—"
    return Level(
        level=raw["level"],
        target=bool(raw.get("target")),
        genant=grade,
        height_loss=loss,
        morphology=morphology,
        of_type=raw.get("of_type") or "—",
        of_score=of_score,
        of_score_note=note,
        sins=sins_text,
    )


def evaluation_page(result: Mapping[str, Any]) -> EvaluationPage:
    """The stored JSON result (rules.result_to_json) shaped for the page and the PDF."""
    raws = list(result["findings"])
    findings = [finding_for(raw) for raw in raws]
    # Antithrombotic holds first (they carry a date), then the rest of the work-up in rule order.
    todo = [
        (f, raw["message"])
        for f, raw in zip(findings, raws, strict=True)
        if f.kind in {"precondition", "missing_information"} and f.status in {"present", "missing"}
    ]
    todo.sort(key=lambda pair: pair[0].rule != "PRE-ANTITHROMBOTIC")
    groups = []
    for kind, title in KIND_ORDER:
        items = [f for f in findings if f.kind == kind]
        if items:
            groups.append(
                Group(
                    kind,
                    title,
                    tuple(f for f in items if f.status != "absent"),
                    tuple(f for f in items if f.status == "absent"),
                )
            )
    return EvaluationPage(
        banner=_banner(result["decision"], findings),
        actions=tuple(_action(f, message) for f, message in todo),
        levels=tuple(_level(raw) for raw in result["levels"]),
        groups=tuple(groups),
    )
