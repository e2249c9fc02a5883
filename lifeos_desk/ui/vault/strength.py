"""The rotation dialog's strength meter: a bar and a word from core/strength.py's estimate.

Recomputed on every keystroke from the field's text (the estimate is a few
microseconds); it shows bits and a verdict, never the passphrase.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from ...core.strength import STRONG_BITS, Strength, estimate

COLOURS = {"weak": "#d64545", "fair": "#d9822b", "good": "#c9b22c", "strong": "#2e9d4f"}


class StrengthMeter(QWidget):
    """A bar filled to bits / 100 and "strong — 139 bits" beside it, coloured by verdict."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setObjectName("strengthBar")
        self.bar.setRange(0, int(STRONG_BITS * 1.25))
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(10)
        self.words = QLabel()
        self.words.setObjectName("strengthWords")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.words, 2)
        self.strength = estimate("")
        self.update_for("")

    def update_for(self, text: str) -> Strength:
        """Estimate ``text`` and redraw; returns the estimate."""
        self.strength = strength = estimate(text)
        self.bar.setValue(min(self.bar.maximum(), round(strength.bits)))
        colour = COLOURS[strength.verdict]
        self.bar.setStyleSheet(f"QProgressBar::chunk {{ background: {colour}; }}")
        why = f" ({', '.join(strength.notes)})" if strength.notes and text else ""
        self.words.setText(f"<b style='color:{colour}'>{strength.verdict}</b> — about {int(strength.bits)} bits{why}"
                           if text else "Type or generate a passphrase")
        self.words.setToolTip("Estimated guessing work: character classes × length, less for common "
                              "passwords, repeats, sequences and keyboard runs. Strong is 80 bits or more.")
        return strength

    @property
    def verdict(self) -> str:
        """The current verdict word."""
        return self.strength.verdict
