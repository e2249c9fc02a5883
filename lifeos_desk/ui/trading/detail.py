"""The detail of one exit intent: its take-profit ladder, stop loss, trailing stop and time stop.

Fields are those of ``ExitIntent.to_dict()`` (docs/data-formats.md, 'Exit
intents'); the trailing stop's ``trail_pct`` is a fraction in the file and is
shown as a percentage.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...core.trading import ExitIntent
from .models import TimeFormat, amount, ladder_model, plain_pct, price, yes_no


def _form(title: str, rows: list[str]) -> tuple[QGroupBox, dict[str, QLabel]]:
    box = QGroupBox(title)
    form = QFormLayout(box)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    labels: dict[str, QLabel] = {}
    for name in rows:
        value = QLabel("—")
        value.setTextFormat(Qt.TextFormat.PlainText)  # the bot's notes are text, never markup
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(f"{name}:", value)
        labels[name] = value
    return box, labels


class IntentDetail(QWidget):
    """Shows one intent, or a hint when none is selected."""

    def __init__(self, fmt: TimeFormat, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fmt = fmt
        self._intent: ExitIntent | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        self.heading = QLabel("Select an exit intent to see its ladder and stops.")
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.heading)
        self.ladder = ladder_model(fmt, self)
        self.ladder_view = QTableView()
        self.ladder_view.setObjectName("ladderView")
        self.ladder_view.setModel(self.ladder)
        self.ladder_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.ladder_view.verticalHeader().hide()
        self.ladder_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.ladder_view.horizontalHeader().setStretchLastSection(True)
        ladder_box = QGroupBox("Take-profit ladder")
        QVBoxLayout(ladder_box).addWidget(self.ladder_view)
        body = QHBoxLayout()
        body.addWidget(ladder_box, 1)
        layout.addLayout(body, 1)
        stops = QGridLayout()
        sl_box, self.sl = _form("Stop loss", ["Price", "Size", "Moved to breakeven", "Original price"])
        tr_box, self.trail = _form("Trailing stop", ["Active", "Trail", "Highest", "Current stop"])
        ts_box, self.time = _form("Time stop", ["Deadline", "Action", "Triggered"])
        st_box, self.state = _form("Status", ["Status", "Last check", "Last price", "Enforcement", "Notes"])
        for n, box in enumerate((sl_box, tr_box, ts_box, st_box)):
            stops.addWidget(box, n // 2, n % 2)
        body.addLayout(stops, 1)

    def intent(self) -> ExitIntent | None:
        """The intent shown, or None."""
        return self._intent

    def show_intent(self, intent: ExitIntent | None) -> None:
        """Fill every field from ``intent`` (None clears them)."""
        self._intent = intent
        if intent is None:
            self.heading.setText("Select an exit intent to see its ladder and stops.")
            self.ladder.set_rows(())
            for labels in (self.sl, self.trail, self.time, self.state):
                for label in labels.values():
                    label.setText("—")
            return
        mode = "paper" if intent.is_paper else "<b>LIVE</b>"
        self.heading.setText(
            f"<b>{escape(intent.symbol or intent.token_mint)}</b> · intent {escape(intent.key)} · position "
            f"{escape(intent.position_id)} · {escape(intent.position_type)} · {mode}<br>"
            f"entry {price(intent.entry_price)} at {self._fmt(intent.entry_time)} · "
            f"{amount(intent.remaining_quantity)} of {amount(intent.original_quantity)} remaining")
        self.ladder.set_rows(intent.take_profits)
        self._fill_stops(intent)

    def refresh(self) -> None:
        """Re-render (the time zone preference changed)."""
        self.ladder.set_rows(self.ladder.rows())
        self.show_intent(self._intent)

    def _fill_stops(self, intent: ExitIntent) -> None:
        sl, tr, ts = intent.stop_loss, intent.trailing_stop, intent.time_stop
        self.sl["Price"].setText(price(sl.price) if sl else "none in the file")
        self.sl["Size"].setText(plain_pct(sl.size_pct) + " of remaining" if sl else "—")
        self.sl["Moved to breakeven"].setText(yes_no(sl.adjusted) if sl else "—")
        self.sl["Original price"].setText(price(sl.original_price) if sl else "—")
        self.trail["Active"].setText(yes_no(tr.active) if tr else "none in the file")
        self.trail["Trail"].setText(plain_pct(tr.trail_pct * 100) if tr and tr.trail_pct is not None else "—")
        self.trail["Highest"].setText(price(tr.highest_price) if tr and tr.highest_price else "—")
        self.trail["Current stop"].setText(price(tr.current_stop) if tr and tr.current_stop else "—")
        self.time["Deadline"].setText(self._fmt(ts.deadline) if ts else "none in the file")
        self.time["Action"].setText(ts.action.replace("_", " ") if ts else "—")
        self.time["Triggered"].setText(yes_no(ts.triggered) if ts else "—")
        flags = " · sentiment invalidated" if intent.sentiment_invalidated else ""
        self.state["Status"].setText(intent.status + flags)
        self.state["Last check"].setText(self._fmt(intent.last_check_time))
        self.state["Last price"].setText(price(intent.last_check_price) if intent.last_check_price else "—")
        self.state["Enforcement"].setText(
            f"{intent.enforcement_attempts} attempts, {intent.enforcement_failures} failures")
        self.state["Notes"].setText(intent.notes or "—")
        self.state["Notes"].setWordWrap(True)
