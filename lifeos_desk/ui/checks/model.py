"""The findings as a tree: one group per (check, severity) with its count, the findings under it.

Groups are ordered errors first, then warnings, then notes, and by check id
inside a severity, as ``run_checks`` orders the findings. Each row carries
its finding (``FindingRole``) or its group (``GroupRole``) so views, the
detail pane and the exports read the same documents ``lifeos-desk audit
--json`` printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPixmap

from ...core.checks.report import COLOURS, SEVERITY_ORDER

FindingRole = Qt.ItemDataRole.UserRole + 1
GroupRole = Qt.ItemDataRole.UserRole + 2
SeverityRole = Qt.ItemDataRole.UserRole + 3

HEADERS = ("Check / records", "Severity", "Expected", "Found", "Why it matters")
SEVERITY_TEXT = {"error": "Error", "warning": "Warning", "info": "Note"}
_ICONS: dict[str, QIcon] = {}

Index = QModelIndex | QPersistentModelIndex


def severity_icon(severity: str) -> QIcon:
    """A filled circle in the severity's colour (made once; no asset files)."""
    icon = _ICONS.get(severity)
    if icon is None:
        pix = QPixmap(14, 14)
        pix.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pix)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(QColor(COLOURS.get(severity, "#616161")))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(1, 1, 12, 12)
        painter.end()
        icon = _ICONS[severity] = QIcon(pix)
    return icon


def ids_text(finding: dict[str, Any]) -> str:
    """The record ids of a finding, as the admin reads them."""
    ids = finding.get("ids") or []
    return ", ".join(str(i) for i in ids) if ids else "(whole store)"


@dataclass
class Group:
    """One (check, severity) and its findings."""

    check: str
    severity: str
    findings: list[dict[str, Any]] = field(default_factory=list)


def group_findings(findings: Sequence[dict[str, Any]]) -> list[Group]:
    """Findings grouped by (check, severity), errors first, then by check id."""
    groups: dict[tuple[str, str], Group] = {}
    for f in findings:
        key = (str(f.get("check", "")), str(f.get("severity", "")))
        groups.setdefault(key, Group(*key)).findings.append(f)

    def rank(g: Group) -> tuple[int, str]:
        sev = SEVERITY_ORDER.index(g.severity) if g.severity in SEVERITY_ORDER else len(SEVERITY_ORDER)
        return sev, g.check

    return sorted(groups.values(), key=rank)


class FindingsModel(QAbstractItemModel):
    """Two levels: groups (internal id 0) and findings (internal id = group row + 1)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.groups: list[Group] = []
        self.findings: list[dict[str, Any]] = []

    def set_findings(self, findings: Sequence[dict[str, Any]]) -> None:
        """Replace everything shown."""
        self.beginResetModel()
        self.findings = list(findings)
        self.groups = group_findings(self.findings)
        self.endResetModel()

    def counts(self) -> dict[str, int]:
        """Findings per severity."""
        out = dict.fromkeys(SEVERITY_ORDER, 0)
        for f in self.findings:
            out[str(f.get("severity"))] = out.get(str(f.get("severity")), 0) + 1
        return out

    def finding_at(self, index: Index) -> dict[str, Any] | None:
        """The finding of a child row, None for a group row or an invalid index."""
        if not index.isValid() or index.internalId() == 0:
            return None
        return self.groups[index.internalId() - 1].findings[index.row()]

    # -- QAbstractItemModel ---------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, child: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid() or child.internalId() == 0:
            return QModelIndex()
        return self.createIndex(child.internalId() - 1, 0, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self.groups)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self.groups[parent.row()].findings)
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == 0:
            return self._group_data(self.groups[index.row()], index.column(), role)
        group = self.groups[index.internalId() - 1]
        return self._finding_data(group.findings[index.row()], index.column(), role)

    def _group_data(self, group: Group, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            n = len(group.findings)
            return (f"{group.check}  ({n})", SEVERITY_TEXT.get(group.severity, group.severity), "", "", "")[column]
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return severity_icon(group.severity)
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            return QBrush(QColor(COLOURS.get(group.severity, "#616161")))
        if role == Qt.ItemDataRole.FontRole and column in (0, 1):
            font = QFont()
            font.setBold(True)
            return font
        if role == GroupRole:
            return group
        if role == SeverityRole:
            return group.severity
        return None

    def _finding_data(self, f: dict[str, Any], column: int, role: int) -> Any:
        sev = str(f.get("severity", ""))
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (ids_text(f), SEVERITY_TEXT.get(sev, sev), f.get("expected", ""), f.get("found", ""),
                      f.get("message", ""))
            text = str(values[column])
            return text if role == Qt.ItemDataRole.DisplayRole or len(text) > 40 else None
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            return QBrush(QColor(COLOURS.get(sev, "#616161")))
        if role == FindingRole:
            return f
        if role == SeverityRole:
            return sev
        return None
