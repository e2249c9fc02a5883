"""The headline figures of a PnL page (trade PnL, treasury trades): five captioned values in one row."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout

from ..elided_label import MiddleElidedLabel


class Figure(QFrame):
    """One headline figure: a caption, a big value, a detail line."""

    def __init__(self, caption: str, tooltip: str) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setToolTip(tooltip)
        self.caption = QLabel(caption)
        self.caption.setStyleSheet("color: palette(placeholder-text);")
        self.value = QLabel("—")
        self.value.setObjectName("figureValue")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.value.setFont(font)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Shortened at its end when the row of figures is narrow (1066 px): the figures never widen the page.
        self.detail = MiddleElidedLabel(400, 40, mode=Qt.TextElideMode.ElideRight)
        self.detail.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(0)
        for w in (self.caption, self.value, self.detail):
            layout.addWidget(w)

    def set(self, value: str, detail: str = "", color: str | None = None) -> None:
        """Show a value (coloured for profit/loss) and its detail line."""
        self.value.setText(value)
        self.value.setStyleSheet(f"color: {color};" if color else "")
        self.detail.set_full_text(detail)
        self.detail.setToolTip(detail)


def headline_figures(net_tip: str, win_tip: str) -> tuple[tuple[Figure, Figure, Figure, Figure, Figure], QHBoxLayout]:
    """Net PnL, win rate, profit factor, max drawdown, trade count in one row (each PnL page's headline).

    Only the first two tooltips differ by source (public transactions, treasury history).
    """
    figures = (Figure("Net PnL", net_tip), Figure("Win rate", win_tip),
               Figure("Profit factor", "Gross profit / gross loss"),
               Figure("Max drawdown", "Deepest fall of cumulative PnL below its running peak (start 0 USD)"),
               Figure("Trades", "Closed trades counted in these figures"))
    row = QHBoxLayout()
    for f in figures:
        row.addWidget(f, 1)
    return figures, row
