"""Geometry of the spine diagram on the chart (pure): one box per level, C1 at the top."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

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
