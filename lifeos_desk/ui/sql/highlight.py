"""Light SQL highlighting: keywords, strings, numbers and comments (no parser: one regex pass a line)."""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

_WORDS = (
    "select from where and or not in is null like glob between join left inner outer cross on using group by "
    "order asc desc limit offset having distinct as with recursive union all except intersect case when then "
    "else end exists cast collate values pragma explain query plan create table index view trigger unique "
    "primary key foreign references default check constraint integer text real blob numeric boolean if begin "
    "insert update delete into set replace drop alter vacuum attach detach analyze reindex rowid without"
)
KEYWORDS = tuple(_WORDS.split(" "))
_RULES = (
    ("keyword", re.compile(r"\b(?:" + "|".join(KEYWORDS) + r")\b", re.IGNORECASE)),
    ("number", re.compile(r"\b\d+(?:\.\d+)?\b")),
    ("string", re.compile(r"'(?:[^']|'')*'?")),
    ("ident", re.compile(r'"(?:[^"]|"")*"?')),
    ("comment", re.compile(r"--[^\n]*")),
)


def _format(color: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(QFont.Weight.DemiBold)
    fmt.setFontItalic(italic)
    return fmt


class SqlHighlighter(QSyntaxHighlighter):
    """Colours one block (line) at a time; later rules win (a keyword inside a string is a string)."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._formats = {"keyword": _format("#1565c0", bold=True), "number": _format("#6a1b9a"),
                         "string": _format("#2e7d32"), "ident": _format("#8d6e00"),
                         "comment": _format("#757575", italic=True)}

    def highlightBlock(self, text: str) -> None:
        """Apply each rule's format to its matches in this line."""
        for name, pattern in _RULES:
            for m in pattern.finditer(text):
                self.setFormat(m.start(), m.end() - m.start(), self._formats[name])
