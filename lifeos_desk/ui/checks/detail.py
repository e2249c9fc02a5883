"""The selected finding in full: what was expected and found, why it matters, stores, ids, and its links."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...core.checks.links import Link, links_of
from ...core.checks.report import COLOURS
from .model import SEVERITY_TEXT, ids_text


class FindingDetail(QWidget):
    """Read-only text of one finding and a button per place it points to.

    Signals:
        linkActivated(object): a ``Link`` the admin chose.
    """

    linkActivated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLabel()
        self.text.setObjectName("findingDetail")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.buttons = QHBoxLayout()
        self.buttons.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.text, 1)
        layout.addLayout(self.buttons)
        self.links: list[Link] = []
        self.show_finding(None)

    def show_finding(self, f: dict[str, Any] | None) -> None:
        """Show a finding (None: a hint what to do)."""
        while self.buttons.count():
            item = self.buttons.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        if f is None:
            self.links = []
            self.text.setText("<i>Select a finding to see what was expected, what was found and where. "
                              "Double-click a finding to open its record.</i>")
            return
        e = html.escape
        sev = str(f.get("severity", ""))
        colour = COLOURS.get(sev, "#616161")
        rows = [("Records", ids_text(f)), ("Expected", f.get("expected", "")), ("Found", f.get("found", "")),
                ("Stores", "<br>".join(e(str(s)) for s in f.get("stores") or []) or "—")]
        body = "".join(f"<tr><td style='padding-right:12px;color:palette(mid)'><b>{k}</b></td>"
                       f"<td>{v if k == 'Stores' else e(str(v))}</td></tr>" for k, v in rows)
        self.text.setText(f"<p><span style='color:{colour};font-weight:bold'>{e(SEVERITY_TEXT.get(sev, sev))}</span>"
                          f" · <b>{e(str(f.get('check', '')))}</b></p><p>{e(str(f.get('message', '')))}</p>"
                          f"<table>{body}</table>")
        self.links = links_of(list(f.get("stores") or []), list(f.get("ids") or []))
        for n, link in enumerate(self.links):
            button = QPushButton(link.label)
            button.setProperty("linkIndex", n)
            button.clicked.connect(self._on_button)
            self.buttons.addWidget(button)
        self.buttons.addStretch(1)

    @Slot()
    def _on_button(self) -> None:
        button = self.sender()
        if isinstance(button, QPushButton):
            self.linkActivated.emit(self.links[int(button.property("linkIndex"))])
