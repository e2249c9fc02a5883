"""JSONL logs without Qt: discovery, line index, tailing, parsing, filtering, export.

The viewer (``lifeos_desk.ui.logs``) sits on top; everything here is tested
without a screen.
"""

from __future__ import annotations

from .discovery import LogSpec, PartSpec, classify, discover
from .entry import Entry, normalise, parse_line, parse_time, pretty
from .timeline import LogSet, PollResult, Timeline

__all__ = ["Entry", "LogSet", "LogSpec", "PartSpec", "PollResult", "Timeline", "classify", "discover",
           "normalise", "parse_line", "parse_time", "pretty"]
