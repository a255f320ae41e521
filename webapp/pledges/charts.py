"""Server-side SVG chart geometry (bars and donuts) from our Decimal figures.

Coordinates are floats (geometry, not money); labels and values shown are the exact
Decimal amounts. Colours come from CSS classes (``chart-c0`` ... ``chart-c5``), so the SVG
carries no style attribute and needs no script.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

PALETTE = 6


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    y: float
    width: float
    css: str


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_height: int
    plot_width: int


def bar_chart(
    items: list[tuple[str, Decimal]], *, width: int = 640, label_width: int = 220
) -> BarChart:
    """Horizontal bars, one per (label, value), scaled to the largest value."""
    bar_height, gap = 22, 8
    plot = width - label_width - 150
    top = max((v for _, v in items), default=Decimal(0))
    bars = [
        Bar(
            label=label,
            value=value,
            y=float(i * (bar_height + gap)),
            width=float(value / top * plot) if top > 0 and value > 0 else 0.0,
            css=f"chart-c{i % PALETTE}",
        )
        for i, (label, value) in enumerate(items)
    ]
    height = max(1, len(items)) * (bar_height + gap)
    return BarChart(bars, width, height, label_width, bar_height, plot)


@dataclass(frozen=True)
class Slice:
    label: str
    value: Decimal
    share: Decimal
    path: str
    css: str


def _point(cx: float, cy: float, r: float, angle: float) -> str:
    return f"{cx + r * math.sin(angle):.2f} {cy - r * math.cos(angle):.2f}"


def donut_chart(
    items: list[tuple[str, Decimal]], *, radius: float = 80, inner: float = 48
) -> list[Slice]:
    """Donut slices (SVG paths centred on radius, radius) for the positive values."""
    total = sum((v for _, v in items if v > 0), Decimal(0))
    if total <= 0:
        return []
    slices: list[Slice] = []
    start = 0.0
    c = radius
    for i, (label, value) in enumerate(items):
        if value <= 0:
            continue
        share = value / total
        # A full circle cannot be one arc: stop just short of it.
        end = start + min(float(share), 0.99999) * 2 * math.pi
        large = 1 if end - start > math.pi else 0
        path = (
            f"M {_point(c, c, radius, start)} "
            f"A {radius} {radius} 0 {large} 1 {_point(c, c, radius, end)} "
            f"L {_point(c, c, inner, end)} "
            f"A {inner} {inner} 0 {large} 0 {_point(c, c, inner, start)} Z"
        )
        slices.append(Slice(label, value, share, path, f"chart-c{i % PALETTE}"))
        start = end
    return slices
