"""Inline SVG charts drawn in Python: the report must open offline, so no chart library, no script, no fonts.

Each function returns one ``<svg>`` element with a ``<title>`` (read by screen readers, shown on hover) and
every label escaped, since labels are entity types, topic terms and other strings from the data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pipeline.report.escape import esc

PALETTE = ("#4269d0", "#efb118", "#ff725c", "#6cc5b0", "#3ca951", "#ff8ab7", "#a463f2", "#97bbf5", "#9c6b4e", "#9498a0")
AXIS = "#666"
GRID = "#e3e3e3"


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _percent(v: float) -> str:
    return f"{100 * v:.1f}%"


def _svg(width: int, height: int, title: str, body: list[str], cls: str) -> str:
    return (
        f'<svg class="chart {cls}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{esc(title)}"><title>{esc(title)}</title>' + "".join(body) + "</svg>"
    )


def _text(
    x: float, y: float, s: str, *, anchor: str = "start", size: int = 11, fill: str = "#222", extra: str = ""
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{extra}>{esc(s)}</text>'
    )


def _legend(names: Sequence[str], x: float, y: float) -> list[str]:
    out = []
    for i, name in enumerate(names):
        out.append(f'<rect x="{x:.1f}" y="{y + 16 * i:.1f}" width="10" height="10" fill="{color(i)}"/>')
        out.append(_text(x + 14, y + 16 * i + 9, name))
    return out


def grouped_bars(
    groups: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    title: str,
    top: float = 1.0,
    fmt: Callable[[float], str] = _percent,
) -> str:
    """One group of bars per ``groups`` item, one bar per ``series`` (``values[group][series]``; None: no bar)."""
    bar, gap, left, bottom, plot_h = 11, 12, 40, 22, 130
    width = left + len(groups) * (len(series) * bar + gap) + 50
    height = plot_h + bottom + 24
    body = [_text(left, 14, title, size=12, extra=' font-weight="bold"')]
    y0 = 24 + plot_h
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = y0 - tick * plot_h
        body.append(f'<line x1="{left}" x2="{width - 50}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 4, y + 4, fmt(tick * top), anchor="end", size=9, fill=AXIS))
    for g, name in enumerate(groups):
        gx = left + gap / 2 + g * (len(series) * bar + gap)
        for s, series_name in enumerate(series):
            value = values[g][s]
            x = gx + s * bar
            if value is None:
                body.append(_text(x + bar / 2, y0 - 3, "–", anchor="middle", size=9, fill=AXIS))
                continue
            h = max(0.0, min(1.0, value / top if top else 0.0)) * plot_h
            body.append(
                f'<rect x="{x:.1f}" y="{y0 - h:.1f}" width="{bar - 2}" height="{h:.1f}" fill="{color(s)}">'
                f"<title>{esc(f'{name} {series_name}: {fmt(value)}')}</title></rect>"
            )
        body.append(_text(gx + len(series) * bar / 2, y0 + 14, name, anchor="middle"))
    body.append(f'<line x1="{left}" x2="{width - 50}" y1="{y0}" y2="{y0}" stroke="{AXIS}"/>')
    body += _legend(series, width - 44, 30)
    return _svg(width, height, title, body, "bars")


def hbars(labels: Sequence[str], values: Sequence[float], *, title: str, fmt: Callable[[float], str] = str) -> str:
    """Horizontal bars, one per label, scaled to the largest value (counts, or shares with ``fmt``)."""
    row, label_w, plot_w = 18, 215, 170
    height = 26 + row * len(labels) + 6
    width = label_w + plot_w + 70
    top = max(values, default=0) or 1
    body = [_text(0, 14, title, size=12, extra=' font-weight="bold"')]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 26 + i * row
        w = max(0.0, value / top) * plot_w
        body.append(_text(label_w - 6, y + 12, label, anchor="end"))
        body.append(
            f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row - 6}" fill="{color(i)}">'
            f"<title>{esc(f'{label}: {fmt(value)}')}</title></rect>"
        )
        body.append(_text(label_w + w + 4, y + 12, fmt(value), size=10, fill=AXIS))
    return _svg(width, height, title, body, "hbars")


def line_chart(
    xlabels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    fmt: Callable[[float], str] = _percent,
) -> str:
    """One polyline per series over the ``xlabels`` (months), y from 0 to the largest value."""
    left, right_w, plot_w, plot_h = 46, 260, max(240, 70 * len(xlabels)), 200
    width, height = left + plot_w + right_w, 24 + plot_h + 40
    top = max((v for _, ys in series for v in ys), default=0) or 1
    y0 = 24 + plot_h
    step = plot_w / max(1, len(xlabels) - 1) if len(xlabels) > 1 else 0

    def px(i: int) -> float:
        return left + (i * step if len(xlabels) > 1 else plot_w / 2)

    def py(v: float) -> float:
        return y0 - v / top * plot_h

    body = [_text(left, 14, title, size=12, extra=' font-weight="bold"')]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = y0 - tick * plot_h
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 4, y + 4, fmt(tick * top), anchor="end", size=9, fill=AXIS))
    for i, x in enumerate(xlabels):
        body.append(_text(px(i), y0 + 14, x, anchor="middle", size=10))
    for s, (name, ys) in enumerate(series):
        points = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in enumerate(ys))
        body.append(f'<polyline points="{points}" fill="none" stroke="{color(s)}" stroke-width="2"/>')
        for i, v in enumerate(ys):
            body.append(
                f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="3" fill="{color(s)}">'
                f"<title>{esc(f'{name}, {xlabels[i]}: {fmt(v)}')}</title></circle>"
            )
    body += _legend([name for name, _ in series], left + plot_w + 16, 30)
    return _svg(width, height, title, body, "lines")
