"""Geometry of the spine diagram on the chart (pure): one box per level, C1 at the top."""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

LEVELS: tuple[str, ...] = (
    *(f"C{i}" for i in range(1, 8)),
    *(f"T{i}" for i in range(1, 13)),
    *(f"L{i}" for i in range(1, 6)),
    "S1",
)
# Vertebral bodies grow from the neck down; heights in diagram units per region.
_REGION_HEIGHT = {"C": 14, "T": 18, "L": 24, "S": 26}
_REGION_WIDTH = {"C": 40, "T": 50, "L": 64, "S": 70}
GAP = 4
CANVAS_WIDTH = 120


@dataclass(frozen=True, slots=True)
class VertebraBox:
    level: str
    x: int
    y: int
    width: int
    height: int
    fractured: bool

    @property
    def label_y(self) -> int:
        return self.y + self.height // 2 + 4


def spine_boxes(fractured: Collection[str]) -> tuple[list[VertebraBox], int]:
    """The boxes and the total height of the drawing."""
    boxes = []
    y = 4
    for level in LEVELS:
        region = level[0]
        width, height = _REGION_WIDTH[region], _REGION_HEIGHT[region]
        boxes.append(
            VertebraBox(level, (CANVAS_WIDTH - width) // 2, y, width, height, level in fractured)
        )
        y += height + GAP
    return boxes, y


@functools.lru_cache(maxsize=512)
def _spine_svg(fractured: frozenset[str]) -> SafeString:
    boxes, height = spine_boxes(fractured)
    named = " ".join(b.level for b in boxes if b.fractured)
    parts: list[str] = [
        format_html(
            '<svg viewBox="0 0 {} {}" role="img" aria-labelledby="spine-title">\n'
            '      <title id="spine-title">Spine diagram. Fractured levels: {}</title>',
            CANVAS_WIDTH,
            height,
            f"{named} " if named else ("" if fractured else "none"),
        )
    ]
    for b in boxes:
        parts.append(
            format_html(
                '\n      <rect class="body{}" x="{}" y="{}" width="{}" height="{}" rx="3"></rect>'
                '\n      <text x="60" y="{}" {}>{}</text>',
                " fractured" if b.fractured else "",
                b.x,
                b.y,
                b.width,
                b.height,
                b.label_y,
                mark_safe('class="fractured"') if b.fractured else "",
                b.level,
            )
        )
    parts.append("\n    </svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every part above is format_html output


def spine_svg(fractured: Collection[str]) -> SafeString:
    """The diagram's markup. It depends on the set of fractured levels alone, so it is built
    once per set and process (the template engine took ~5 ms per chart for its 25 boxes)."""
    return _spine_svg(frozenset(fractured))
