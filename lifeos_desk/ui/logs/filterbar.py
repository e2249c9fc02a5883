"""The filter bar: free text with ``field=value`` terms, event and level pickers, actor, time range.

It only builds a ``FilterSpec`` (or says in plain words what is wrong with
the input); running the filter is the area's job.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from ...core.jsonl.filtering import FilterSpec, parse_terms

ANY = "Any"
NO_LEVEL = "(no level)"
MALFORMED = "Malformed lines"
LEVELS = [ANY, "ERROR", "WARNING", "INFO", "DEBUG", "CRITICAL", NO_LEVEL, MALFORMED]


def parse_moment(text: str, utc: bool) -> float | None:
    """Epoch seconds from ``2026-01-02 14:00`` (local or UTC as shown), or None for empty.

    Raises ValueError with an example when the text is not a date-time.
    """
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a date and time; write it like 2026-01-02 14:30") from None
    if moment.tzinfo is None and utc:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


class FilterBar(QWidget):
    """Inputs for one filter.

    Signals:
        applyRequested(): Enter pressed or Filter clicked.
        clearRequested(): Clear clicked.
    """

    applyRequested = Signal()
    clearRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLineEdit()
        self.text.setPlaceholderText("Search text, and field=value terms: actor_id=42 event_type=wallet_access")
        self.text.setClearButtonEnabled(True)
        self.text.setMinimumWidth(280)
        self.event_box = QComboBox()
        self.event_box.setEditable(True)
        self.event_box.setMinimumContentsLength(14)
        self.event_box.setMaximumWidth(190)
        self.event_box.addItem(ANY)
        self.event_box.setToolTip("Event type (event, event_type, event_name, action or message)")
        self.level_box = QComboBox()
        self.level_box.addItems(LEVELS)
        self.level_box.setMaximumWidth(150)
        self.level_box.setToolTip("Level; entries with success=false count as ERROR")
        self.actor = QLineEdit()
        self.actor.setPlaceholderText("actor")
        self.actor.setToolTip("actor_id or user_id")
        self.actor.setMaximumWidth(90)
        self.since = QLineEdit()
        self.since.setPlaceholderText("from 2026-01-02 14:00")
        self.until = QLineEdit()
        self.until.setPlaceholderText("to")
        for edit in (self.since, self.until):
            edit.setMaximumWidth(150)
            edit.setToolTip("Local time, or UTC when View ▸ Times in UTC is on")
        self.apply_button = QPushButton("Filter")
        self.clear_button = QPushButton("Clear")
        self.apply_button.clicked.connect(self._request_apply)
        self.clear_button.clicked.connect(self._request_clear)
        for edit in (self.text, self.actor, self.since, self.until):
            edit.returnPressed.connect(self._request_apply)
        editor = self.event_box.lineEdit()
        if editor is not None:
            editor.returnPressed.connect(self._request_apply)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        for label, widget in (("Event", self.event_box), ("Level", self.level_box), ("Actor", self.actor)):
            layout.addWidget(QLabel(label))
            layout.addWidget(widget)
        layout.addWidget(self.since)
        layout.addWidget(self.until)
        layout.addWidget(self.apply_button)
        layout.addWidget(self.clear_button)

    def _request_apply(self) -> None:
        self.applyRequested.emit()

    def _request_clear(self) -> None:
        self.clearRequested.emit()

    def spec(self, utc: bool) -> FilterSpec:
        """The filter the inputs describe; ValueError with a readable message when they are wrong."""
        terms, text = parse_terms(self.text.text())
        event = self.event_box.currentText().strip()
        level = self.level_box.currentText()
        since, until = parse_moment(self.since.text(), utc), parse_moment(self.until.text(), utc)
        if since is not None and until is not None and since > until:
            raise ValueError("the 'from' time is after the 'to' time")
        return FilterSpec(
            text=text, terms=terms,
            events=frozenset({event}) if event and event != ANY else frozenset(),
            levels=frozenset({"-" if level == NO_LEVEL else level}) if level not in (ANY, MALFORMED) else frozenset(),
            malformed_only=level == MALFORMED,
            actor=self.actor.text().strip(), since=since, until=until)

    def reset(self) -> None:
        """Empty every input."""
        for edit in (self.text, self.actor, self.since, self.until):
            edit.clear()
        self.event_box.setCurrentIndex(0)
        self.level_box.setCurrentIndex(0)

    def offer_events(self, events: list[str]) -> None:
        """Add event names seen in the logs to the picker (keeps what the admin typed)."""
        have = {self.event_box.itemText(i) for i in range(self.event_box.count())}
        for name in sorted(set(events) - have):
            self.event_box.addItem(name)
        self._fit_popup()

    def _fit_popup(self) -> None:
        """The drop-down list is as wide as its longest item (the box itself stays narrow)."""
        metrics = self.event_box.view().fontMetrics()
        widest = max((metrics.horizontalAdvance(self.event_box.itemText(i)) for i in range(self.event_box.count())),
                     default=0)
        scroll = self.event_box.view().verticalScrollBar().sizeHint().width()
        self.event_box.view().setMinimumWidth(widest + scroll + 24)

    def fields(self) -> dict[str, str]:
        """The inputs as text (what a saved filter keeps)."""
        return {"text": self.text.text(), "event": self.event_box.currentText(),
                "level": self.level_box.currentText(), "actor": self.actor.text(),
                "since": self.since.text(), "until": self.until.text()}

    def load(self, fields: dict[str, str]) -> None:
        """Fill the inputs from a saved filter (unknown levels fall back to Any)."""
        self.text.setText(fields.get("text", ""))
        self.event_box.setCurrentText(fields.get("event", "") or ANY)
        level = fields.get("level", ANY)
        self.level_box.setCurrentIndex(max(self.level_box.findText(level), 0))
        self.actor.setText(fields.get("actor", ""))
        self.since.setText(fields.get("since", ""))
        self.until.setText(fields.get("until", ""))
