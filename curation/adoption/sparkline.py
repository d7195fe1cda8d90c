"""A small line of monthly figures as inline SVG, drawn on the server (no script, no styles:
it takes the text colour, so it follows the light and dark themes)."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString


def sparkline_svg(points: list[tuple[str, int]], *, width: int = 120, height: int = 28, label: str = "") -> SafeString:
    """`points`: (month "YYYY-MM", value) in order. An <svg role="img"> whose accessible name
    states every value; empty for fewer than one point."""
    if not points:
        return SafeString("")
    values = [v for _, v in points]
    top = max(values) or 1
    pad = 2
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    coords = [
        (round(pad + i * step, 1), round(height - pad - (height - 2 * pad) * v / top, 1)) for i, v in enumerate(values)
    ]
    if len(coords) == 1:
        coords.append((width - pad, coords[0][1]))
    described = "; ".join(f"{month}: {value:,}" for month, value in points)
    name = f"{label}: {described}" if label else described
    line = " ".join(f"{x},{y}" for x, y in coords)
    last_x, last_y = coords[-1]
    return format_html(
        '<svg class="sparkline" role="img" aria-label="{}" width="{}" height="{}" viewBox="0 0 {} {}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>'
        '<polyline points="{}" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/>'
        '<circle cx="{}" cy="{}" r="2" fill="currentColor"/></svg>',
        name,
        width,
        height,
        width,
        height,
        name,
        line,
        last_x,
        last_y,
    )
