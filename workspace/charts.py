"""Bar charts drawn on the server as SVG: no script, no external asset, nothing for the CSP to refuse.

A chart must read without colour: every bar carries its label and its value as text, and
bars alternate between fill patterns (solid, hatched, dotted) defined in the SVG itself.
The template ``workspace/bar_chart.html`` draws what :func:`bar_chart` lays out; the page
puts the same rows in a table next to it.
"""

from dataclasses import dataclass

# Layout in SVG user units; the SVG scales to its container's width.
WIDTH = 560
LABEL_WIDTH = 150
VALUE_ROOM = 60
ROW_HEIGHT = 28
BAR_HEIGHT = 18
PATTERNS = ("solid", "hatch", "dots")


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    href: str
    # Laid out by bar_chart:
    y: int = 0
    width: int = 0
    pattern: str = "solid"

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 4

    @property
    def value_x(self) -> int:
        return LABEL_WIDTH + self.width + 6


@dataclass(frozen=True)
class BarChart:
    """A laid-out horizontal bar chart; ``chart_id`` keeps its pattern ids unique on the page."""

    chart_id: str
    title: str
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int
    bar_height: int
    total: int


def bar_chart(chart_id: str, title: str, bars: list[Bar]) -> BarChart:
    """Lay ``bars`` out top to bottom, the longest bar filling the room left of its value."""
    longest = max((bar.value for bar in bars), default=0)
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    laid = tuple(
        Bar(
            label=bar.label,
            value=bar.value,
            href=bar.href,
            y=index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) // 2,
            # A zero keeps a hairline so the row still shows where the bar would start.
            width=max(1, round(room * bar.value / longest)) if longest else 1,
            pattern=PATTERNS[index % len(PATTERNS)],
        )
        for index, bar in enumerate(bars)
    )
    return BarChart(
        chart_id=chart_id,
        title=title,
        bars=laid,
        width=WIDTH,
        height=max(1, len(laid)) * ROW_HEIGHT,
        label_width=LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
        total=sum(bar.value for bar in bars),
    )
