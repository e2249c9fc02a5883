"""A chart card: title, one or more plots, a caption, a message for empty data, and export.

Export renders the card *as laid out on screen*, scaled to the chosen width
(docs/architecture.md, 'Plotting a million points': a plot exported without being shown is laid out at
640x480 and cuts its title), and writes the series behind the chart as CSV.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QPoint, QSize, Qt, Slot
from PySide6.QtGui import QAction, QImage, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from . import style

CsvRows = Callable[[], tuple[Sequence[str], Iterable[Sequence[object]]]]
MAX_EXPORT_WIDTH = 8000


class ChartCard(QFrame):
    """One chart of the dashboard.

    ``csv_source`` (set by the owner) returns the header and rows of the
    series the chart shows; None disables CSV export.
    """

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chartCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = title
        self.csv_source: CsvRows | None = None
        self.plots: list[pg.PlotWidget] = []

        self._title = QLabel(f"<b>{title}</b>")
        self._export = QToolButton()
        self._export.setText("Export")
        self._export.setToolTip(f"Save “{title}” as a PNG image or its data as CSV")
        self._export.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self._export)
        png, data = QAction("Image (PNG)…", menu), QAction("Data (CSV)…", menu)
        png.triggered.connect(self.ask_png)
        data.triggered.connect(self.ask_csv)
        menu.addAction(png)
        menu.addAction(data)
        self._export.setMenu(menu)
        head = QHBoxLayout()
        head.addWidget(self._title, 1)
        head.addWidget(self._export)

        self._body = QWidget()
        self._stack = QVBoxLayout(self._body)
        self._stack.setContentsMargins(0, 0, 0, 0)
        self._stack.setSpacing(0)
        self._message = QLabel()
        self._message.setObjectName("chartMessage")
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._message.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._message.setStyleSheet("QLabel#chartMessage { color: palette(text); background: palette(base);"
                                    " border: 1px solid palette(mid); border-radius: 6px; padding: 10px; }")
        self._message.hide()
        overlay = QGridLayout()
        overlay.setContentsMargins(0, 0, 0, 0)
        overlay.addWidget(self._body, 0, 0)
        overlay.addWidget(self._message, 0, 0, Qt.AlignmentFlag.AlignCenter)

        self.caption = QLabel()
        self.caption.setObjectName("chartCaption")
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addLayout(overlay, 1)
        layout.addWidget(self.caption)

    # -- content -------------------------------------------------------------------
    def add_plot(self, axes: dict[str, pg.AxisItem], left_label: str, bottom_label: str | None = None,
                 stretch: int = 1) -> pg.PlotWidget:
        """A new plot in the card, styled; returns the PlotWidget."""
        widget = pg.PlotWidget(axisItems=axes, background=style.background())
        widget.setMinimumHeight(90)
        style.style_plot(widget.getPlotItem(), left_label, bottom_label)
        self._stack.addWidget(widget, stretch)
        self.plots.append(widget)
        return widget

    def set_message(self, text: str | None) -> None:
        """Show a plain message over the plot (empty or degenerate data), or hide it."""
        self._message.setText(text or "")
        self._message.setVisible(bool(text))
        self._message.setMaximumWidth(max(200, int(self.width() * 0.8)))

    def message(self) -> str:
        """The message shown over the plot ('' when none)."""
        return self._message.text() if self._message.isVisible() or self._message.text() else ""

    # -- export --------------------------------------------------------------------
    def export_png(self, path: Path, width: int) -> QSize:
        """Render the card as laid out on screen, scaled to ``width`` pixels; returns the image size."""
        width = max(16, min(int(width), MAX_EXPORT_WIDTH))
        shown = self.size()
        scale = width / max(1, shown.width())
        size = QSize(width, max(16, round(shown.height() * scale)))
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(self.palette().color(self.backgroundRole()) if self.autoFillBackground() else style.background())
        self._export.hide()
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            painter.scale(scale, scale)
            self.render(painter, QPoint(0, 0))
        finally:
            painter.end()
            self._export.show()
        if not image.save(str(path), "PNG"):  # type: ignore[call-overload]  # the stubs say bytes; str works
            raise OSError(f"could not write {path}")
        return size

    def export_csv(self, path: Path) -> int:
        """Write the chart's series as CSV; returns the number of data rows."""
        if self.csv_source is None:
            raise ValueError(f"“{self.title}” has no data to export")
        header, rows = self.csv_source()
        count = 0
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            for row in rows:
                writer.writerow(row)
                count += 1
        return count

    def _file_stem(self) -> str:
        return "".join(c if c.isalnum() else "-" for c in self.title.lower()).strip("-")

    @Slot()
    def ask_png(self) -> None:
        """Ask for a width and a file, then export."""
        width = ask_width(self, self.size())
        if width is None:
            return
        name, _ = QFileDialog.getSaveFileName(self, f"Save “{self.title}” as PNG", f"{self._file_stem()}.png",
                                              "PNG images (*.png)")
        if name:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                self.export_png(Path(name), width)
            except OSError as exc:
                QMessageBox.warning(self, "Export failed", str(exc))
            finally:
                QApplication.restoreOverrideCursor()

    @Slot()
    def ask_csv(self) -> None:
        """Ask for a file, then write the series."""
        name, _ = QFileDialog.getSaveFileName(self, f"Save the data of “{self.title}”", f"{self._file_stem()}.csv",
                                              "CSV files (*.csv)")
        if name:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a million rows take a few seconds
            try:
                self.export_csv(Path(name))
            except (OSError, ValueError) as exc:
                QMessageBox.warning(self, "Export failed", str(exc))
            finally:
                QApplication.restoreOverrideCursor()


def ask_width(parent: QWidget, shown: QSize) -> int | None:
    """A small dialog: the export width in pixels (height follows the on-screen layout)."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Image size")
    spin = QSpinBox()
    spin.setRange(200, MAX_EXPORT_WIDTH)
    spin.setSingleStep(100)
    spin.setSuffix(" px")
    spin.setValue(max(200, shown.width() * 2))
    height = QLabel()

    def follow(value: int) -> None:
        height.setText(f"{round(shown.height() * value / max(1, shown.width()))} px (as laid out on screen)")

    spin.valueChanged.connect(follow)
    follow(spin.value())
    form = QFormLayout(dialog)
    form.addRow("Width", spin)
    form.addRow("Height", height)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form.addRow(buttons)
    return spin.value() if dialog.exec() == QDialog.DialogCode.Accepted else None

