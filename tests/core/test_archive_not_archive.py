"""Issue 17: ``verify`` on a file that is no archive says so, instead of "truncated or damaged"."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from lifeos_desk.cli import main
from lifeos_desk.commands.archive_io import EXIT_FAILED

from .archive_helpers import make_home


@pytest.mark.parametrize(("content", "why"), [
    (b"just some text, not an archive\n", "it does not start with the gzip signature 1f 8b"),
    (b"x", "it does not start with the gzip signature 1f 8b"),
    (b"", "it is empty"),
    (gzip.compress(b"hello\n"), "gzip, but too short to hold a tar header"),
    (gzip.compress(b"a compressed log line that is long enough\n" * 40), "gzip, but no tar header inside"),
])
def test_verify_says_not_an_archive(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes,
                                    why: str) -> None:
    paths = make_home(tmp_path)
    paths.backups.mkdir(parents=True, exist_ok=True)
    target = paths.backups / "notes.tar.gz"
    target.write_bytes(content)
    code = main(["--home", str(paths.home), "--backups", str(paths.backups), "verify", str(target)])
    err = capsys.readouterr().err
    assert code == EXIT_FAILED
    assert "not a gzip/tar archive" in err and why in err, err
    assert "truncated or damaged" not in err and "Traceback" not in err
    assert target.read_bytes() == content
