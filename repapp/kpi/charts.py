"""Server-side SVG charts: daily progress against the target, and bars per forum or thread (pure).

The pages allow no inline scripts or style attributes, so the charts are plain SVG drawn with
presentation attributes (fill, stroke); they need no JavaScript and print into the PDF as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape

ACCENT = "#1f5fbf"
MUTED = "#5b6475"
GRID = "#d9dee7"
FORECAST = "#a86200"
FONT = 'font-family="DejaVu Sans, Verdana, sans-serif"'


def _fmt(value: float) -> str:
    """Format an axis or point label compactly."""
    if abs(value) >= 10_000:
        return f"{value / 1000:.0f}k"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.1f}"


def _nice_max(value: float, whole: bool = False) -> float:
    """Round an axis maximum up to a round number (one whose half is whole too, for counts)."""
    if value <= 0:
        return 1.0 if not whole else 2.0
    magnitude = 10 ** (len(str(int(value))) - 1) if value >= 1 else 0.1
    for step in ((1, 2, 4, 6, 8, 10) if whole and magnitude == 1 else (1, 2, 2.5, 5, 10)):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def progress_chart(days: Sequence[date], actual: Sequence[float | None], *, title: str,
                   target: float | None = None, forecast: float | None = None, cumulative: bool = True,
                   width: int = 340, height: int = 170) -> Markup:
    """Draw a day-by-day line of a figure with the target's pace (or level) and the forecast to month end."""
    left, right, top, bottom = 38, 12, 22, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    known = [(i, float(v)) for i, v in enumerate(actual) if v is not None]
    peak = max([v for _i, v in known] + [target or 0, forecast or 0, 0])
    counts = all(v.is_integer() for _i, v in known) and float(target or 0).is_integer()
    y_max = _nice_max(peak * 1.05, whole=counts)
    n = max(len(days) - 1, 1)

    def x(i: float) -> float:
        return left + plot_w * i / n

    def y(v: float) -> float:
        return top + plot_h * (1 - v / y_max)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" {FONT} font-size="10">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="13" font-size="11" fill="#1d2330">{escape(title)}</text>',
    ]
    for fraction in (0, 0.5, 1):
        if counts and not float(y_max * fraction).is_integer():
            continue  # a count axis gets no "1.25" tick
        gy = y(y_max * fraction)
        parts.append(f'<line x1="{left}" y1="{gy:.1f}" x2="{width - right}" y2="{gy:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{left - 4}" y="{gy + 3:.1f}" text-anchor="end" fill="{MUTED}">'
                     f'{_fmt(y_max * fraction)}</text>')
    for i in sorted({0, len(days) // 2, len(days) - 1}):
        if 0 <= i < len(days):
            parts.append(f'<text x="{x(i):.1f}" y="{height - 6}" text-anchor="middle" fill="{MUTED}">'
                         f'{days[i].day}</text>')
    if target is not None:
        if cumulative:
            parts.append(f'<line x1="{x(0):.1f}" y1="{y(0):.1f}" x2="{x(n):.1f}" y2="{y(target):.1f}" '
                         f'stroke="{MUTED}" stroke-dasharray="4 3"><title>{escape(_fmt(target))}</title></line>')
        else:
            parts.append(f'<line x1="{x(0):.1f}" y1="{y(target):.1f}" x2="{x(n):.1f}" y2="{y(target):.1f}" '
                         f'stroke="{MUTED}" stroke-dasharray="4 3"><title>{escape(_fmt(target))}</title></line>')
    if known:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in known)
        parts.append(f'<polyline points="{points}" fill="none" stroke="{ACCENT}" stroke-width="2"/>')
        last_i, last_v = known[-1]
        parts.append(f'<circle cx="{x(last_i):.1f}" cy="{y(last_v):.1f}" r="3" fill="{ACCENT}"/>')
        anchor = "end" if last_i > n * 0.7 else "start"
        offset = -5 if anchor == "end" else 5
        parts.append(f'<text x="{x(last_i) + offset:.1f}" y="{y(last_v) - 6:.1f}" text-anchor="{anchor}" '
                     f'fill="{ACCENT}" font-weight="bold">{_fmt(last_v)}</text>')
        if forecast is not None and cumulative and last_i < n:
            parts.append(f'<line x1="{x(last_i):.1f}" y1="{y(last_v):.1f}" x2="{x(n):.1f}" y2="{y(forecast):.1f}" '
                         f'stroke="{FORECAST}" stroke-width="1.5" stroke-dasharray="2 3"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(items: Sequence[tuple[str, float | None]], *, title: str, width: int = 340,
              bar_height: int = 16) -> Markup:
    """Draw horizontal bars, one per labelled value (for forums or threads)."""
    rows = [(label, float(value)) for label, value in items if value is not None]
    label_w, top = 130, 22
    height = top + max(len(rows), 1) * (bar_height + 6) + 4
    peak = max([v for _l, v in rows] + [0]) or 1.0
    plot_w = width - label_w - 48
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" {FONT} font-size="10">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="13" font-size="11" fill="#1d2330">{escape(title)}</text>',
    ]
    for index, (label, value) in enumerate(rows):
        row_y = top + index * (bar_height + 6)
        short = label if len(label) <= 22 else label[:21] + "…"
        bar = plot_w * value / peak
        parts.append(f'<text x="{label_w - 6}" y="{row_y + bar_height - 4}" text-anchor="end" fill="#1d2330">'
                     f'{escape(short)}<title>{escape(label)}</title></text>')
        parts.append(f'<rect x="{label_w}" y="{row_y}" width="{max(bar, 1):.1f}" height="{bar_height}" '
                     f'fill="{ACCENT}"/>')
        parts.append(f'<text x="{label_w + bar + 4:.1f}" y="{row_y + bar_height - 4}" fill="{MUTED}">'
                     f'{_fmt(value)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
