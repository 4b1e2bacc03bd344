"""The spine diagram's markup, from the pure geometry of spine.py (kept free of Django, an
import contract), escaped by Django's format_html."""

from __future__ import annotations

import functools
from collections.abc import Collection

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from vertebra.patients.spine import CANVAS_WIDTH, spine_boxes


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
