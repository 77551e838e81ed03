"""Pages of tables: portrait pages of the sheet's size, filled top to bottom with paragraphs and tables."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from matplotlib.figure import Figure

from api.print.layout import MARGIN, PAPER_MM
from api.print.mapframe import PT_MM

FONT = 6.5  # points
LINE = FONT * PT_MM * 1.3  # mm per text line


@dataclass(frozen=True)
class Column:
    header: str
    width: float  # share of the table width
    align: str = "left"


class TablePages:
    """Portrait pages of ``size`` filled top to bottom; a new page starts when one is full."""

    def __init__(self, size: str, lang: str):
        self.size, self.lang = size, lang
        self.page = PAPER_MM[size]
        self.figures: list[Figure] = []
        self.y = 0.0
        self.new_page()

    def new_page(self) -> None:
        self.figures.append(Figure(figsize=(self.page[0] / 25.4, self.page[1] / 25.4)))
        self.y = self.page[1] - MARGIN

    def text(self, text: str, size: float = FONT, weight: str = "normal", gap: float = 1.0) -> None:
        """A paragraph, wrapped to the page's width."""
        chars = int((self.page[0] - 2 * MARGIN) / (size * PT_MM * 0.56))
        for line in textwrap.wrap(text, chars, break_on_hyphens=False) or [""]:
            if self.y - size * PT_MM * 1.4 < MARGIN:
                self.new_page()
            self.figures[-1].text(
                MARGIN / self.page[0], self.y / self.page[1], line, fontsize=size, fontweight=weight, va="top"
            )
            self.y -= size * PT_MM * 1.4
        self.y -= gap

    def table(self, columns: list[Column], rows: list[list[str]], continued: str | None = None) -> None:
        width = self.page[0] - 2 * MARGIN
        self._row(columns, [c.header for c in columns], width, bold=True)
        for row in rows:
            lines = self._wrap(columns, row, width)
            if self.y - len(max(lines, key=len)) * LINE < MARGIN:
                self.new_page()
                if continued:
                    self.text(continued, 9, "bold", 2)
                self._row(columns, [c.header for c in columns], width, bold=True)
            self._row(columns, row, width)
        self.y -= 3

    def _wrap(self, columns, row, width) -> list[list[str]]:
        out = []
        for col, cell in zip(columns, row):
            chars = max(4, int(col.width * width / (FONT * PT_MM * 0.56)) - 1)
            out.append(textwrap.wrap(cell, chars, break_on_hyphens=False) or [""])
        return out

    def _row(self, columns, row, width, bold: bool = False) -> None:
        fig, (pw, ph) = self.figures[-1], self.page
        lines = self._wrap(columns, row, width)
        x = MARGIN
        for col, cell in zip(columns, lines):
            w = col.width * width
            tx = x + (w - 1 if col.align == "right" else 0.5)
            fig.text(
                tx / pw,
                self.y / ph,
                "\n".join(cell),
                fontsize=FONT,
                va="top",
                ha=col.align,
                fontweight="bold" if bold else "normal",
                linespacing=1.15,
            )
            x += w
        self.y -= max(len(c) for c in lines) * LINE + 1.2
        fig.add_artist(_rule(fig, self.y + 0.6, pw, ph))


def _rule(fig: Figure, y: float, pw: float, ph: float):
    from matplotlib.lines import Line2D

    return Line2D(
        [MARGIN / pw, 1 - MARGIN / pw],
        [y / ph, y / ph],
        transform=fig.transFigure,
        color="#bbbbbb",
        linewidth=0.3,
    )
