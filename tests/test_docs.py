"""Comments cite the repo's own docs, and every cited heading exists.

Code says why by pointing at ``docs/architecture.md, 'Heading'`` or
``docs/data-formats.md, 'Heading'``. A citation of a file outside the repo
(the helpers' shared notes) or of a heading that was renamed is a dangling
reference: a reader who follows it finds nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SCANNED = ("lifeos_desk", "tests", "packaging")
SUFFIXES = {".py", ".toml", ".spec", ".sh", ".md", ".txt", ".cfg", ".ini"}
FORBIDDEN = ("ENGINEERING.md", "FORMATS.md", "../shared")
# "docs/name.md, '" then the heading up to the closing quote; a heading may be
# wrapped onto the next comment line, so the part between is normalised below.
CITATION = re.compile(r"docs/(?P<doc>[\w-]+)\.md, '(?P<heading>[^']+)'")
WRAP = re.compile(r"\s*\n\s*(?:#\s*)?")


def _sources() -> list[Path]:
    files: list[Path] = [ROOT / "pyproject.toml"]
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and path.suffix in SUFFIXES and "__pycache__" not in path.parts:
                files.append(path)
    return files


def _headings(doc: Path) -> set[str]:
    return {m.group(1).strip() for m in re.finditer(r"^#{1,6} (.+)$", doc.read_text(encoding="utf-8"), re.M)}


def _citations(text: str) -> list[tuple[str, str]]:
    return [(m.group("doc"), WRAP.sub(" ", m.group("heading")).strip()) for m in CITATION.finditer(text)]


def test_no_file_cites_the_shared_notes() -> None:
    """Nothing under the package, tests or packaging names a file outside the repo."""
    me = Path(__file__).resolve()
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in _sources()
        if path.resolve() != me
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if any(word in line for word in FORBIDDEN)
    ]
    assert offenders == []


def test_every_cited_heading_exists() -> None:
    """Each ``docs/X.md, 'Heading'`` names an existing doc and one of its headings."""
    headings = {doc.stem: _headings(doc) for doc in DOCS.glob("*.md")}
    cited: list[str] = []
    missing: list[str] = []
    me = Path(__file__).resolve()
    for path in [*_sources(), *DOCS.glob("*.md")]:
        if path.resolve() == me:  # its own examples are not citations
            continue
        for doc, heading in _citations(path.read_text(encoding="utf-8", errors="replace")):
            cited.append(heading)
            if heading not in headings.get(doc, set()):
                missing.append(f"{path.relative_to(ROOT)}: docs/{doc}.md, '{heading}'")
    assert missing == []
    assert len(cited) >= 40  # the code base does cite the docs; a broken regex would find none


def test_citation_parser_joins_wrapped_headings() -> None:
    """A heading wrapped across comment lines is read as one heading, and a wrong one is caught."""
    text = "# see docs/architecture.md, 'Half-read statements pin the\n    # WAL' and docs/x.md, 'Nope'"
    assert _citations(text) == [("architecture", "Half-read statements pin the WAL"), ("x", "Nope")]
    assert "Nope" not in _headings(DOCS / "architecture.md")
