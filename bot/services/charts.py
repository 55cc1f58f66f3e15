"""Bar charts as PNG, drawn with matplotlib's Agg backend (no display, safe in a worker thread).

A chart is ordered as its figures and labels, already translated and formatted for its reader, and drawn by the
file job (bot.jobs.files), which queues the images for sending.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

WIDTH_INCHES, DPI = 8.0, 110
COLOURS = ("#1f6fb2", "#2e9e5b", "#d9822b", "#c0392b")  # one per series: received, answered, overdue...


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]
    value_labels: tuple[str, ...] = ()  # each bar's figure, formatted for the reader


@dataclass(frozen=True)
class Chart:
    title: str
    labels: tuple[str, ...]  # one per bar (or group of bars)
    series: tuple[Series, ...] = field(default_factory=tuple)
    horizontal: bool = True  # categories read best down the side; months along the bottom

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Chart":
        series = tuple(Series(item["name"], tuple(item["values"]), tuple(item["value_labels"])) for item in data["series"])
        return cls(data["title"], tuple(data["labels"]), series, data["horizontal"])


def draw(chart: Chart) -> bytes:
    """The chart as a PNG image. (matplotlib is imported by the first chart drawn, not by every process that
    starts: it is a third of a second of CPU.)"""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rows = len(chart.labels)
    height = max(3.0, 1.2 + 0.32 * rows * max(1, len(chart.series))) if chart.horizontal else 4.5
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI)
    axes = figure.subplots()
    width = 0.8 / max(1, len(chart.series))
    for index, series in enumerate(chart.series):
        positions = [row + (index - (len(chart.series) - 1) / 2) * width for row in range(rows)]
        colour = COLOURS[index % len(COLOURS)]
        bars = (axes.barh(positions, series.values, height=width, label=series.name, color=colour) if chart.horizontal
                else axes.bar(positions, series.values, width=width, label=series.name, color=colour))
        axes.bar_label(bars, labels=list(series.value_labels) or None, padding=3, fontsize=8)
    ticks = list(range(rows))
    if chart.horizontal:
        axes.set_yticks(ticks, chart.labels, fontsize=9)
        axes.invert_yaxis()  # the largest first, at the top
        axes.margins(x=0.15)
        axes.xaxis.set_visible(False)
    else:
        axes.set_xticks(ticks, chart.labels, fontsize=8, rotation=45 if rows > 6 else 0, ha="right" if rows > 6 else "center")
        axes.margins(y=0.15)
        axes.yaxis.set_visible(False)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_title(chart.title, fontsize=12, loc="left")
    if len(chart.series) > 1:
        axes.legend(fontsize=8, frameon=False)
    figure.tight_layout()
    image = BytesIO()
    FigureCanvasAgg(figure).print_png(image)
    return image.getvalue()
