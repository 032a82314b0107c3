"""Small charts as server-rendered SVG: no script, no network, prints as it shows."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from markupsafe import Markup

from jixiao.numbers import fmt

LABEL_WIDTH = 130
BAR_AREA = 300
BAR_HEIGHT = 14
GAP = 10


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[Decimal | int | None]]],
    *,
    scale_max: Decimal | int | None = None,
    unit: str = "",
) -> Markup:
    """Horizontal grouped bars: one group per category, one bar per series (name, css class, values)."""
    values = [Decimal(v) for _n, _c, vals in series for v in vals if v is not None]
    top = Decimal(scale_max) if scale_max else max(values, default=Decimal(1)) or Decimal(1)
    group_height = len(series) * (BAR_HEIGHT + 2) + GAP
    legend_height = 24
    height = legend_height + len(categories) * group_height + 4
    width = LABEL_WIDTH + BAR_AREA + 60
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    x = LABEL_WIDTH
    for name, css, _vals in series:  # legend
        parts.append(f'<rect class="{css}" x="{x}" y="4" width="12" height="12"/>')
        parts.append(f'<text x="{x + 16}" y="15">{escape(name)}</text>')
        x += 24 + 14 * len(name)
    for i, category in enumerate(categories):
        y0 = legend_height + i * group_height
        shown = category if len(category) <= 9 else category[:8] + "…"
        middle = y0 + (len(series) * (BAR_HEIGHT + 2)) / 2 + 4
        parts.append(
            f'<text class="cat" x="{LABEL_WIDTH - 6}" y="{middle:.0f}" text-anchor="end">'
            f"<title>{escape(category)}</title>{escape(shown)}</text>"
        )
        for j, (name, css, vals) in enumerate(series):
            value = vals[i]
            y = y0 + j * (BAR_HEIGHT + 2)
            if value is None:
                parts.append(
                    f'<text class="none" x="{LABEL_WIDTH + 4}" y="{y + 11}">{escape(name)}：无</text>'
                )
                continue
            w = max(Decimal(0), Decimal(value)) / top * BAR_AREA
            parts.append(
                f'<rect class="{css}" x="{LABEL_WIDTH}" y="{y}" width="{w:.1f}" height="{BAR_HEIGHT}">'
                f"<title>{escape(category)} {escape(name)} {fmt(Decimal(value))}{escape(unit)}</title></rect>"
            )
            parts.append(f'<text x="{LABEL_WIDTH + w + 4:.1f}" y="{y + 11}">{fmt(Decimal(value))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
