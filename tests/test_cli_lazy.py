"""The CLI loads only the command it is asked for; anything unclear loads them all, as before."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lifeos_desk.cli import build_parser, named_command


@pytest.mark.parametrize(("argv", "module"), [
    (["verify", "a.tar.gz"], "lifeos_desk.commands.verify"),
    (["--home", "verify", "--backups", "/b", "--read-only", "backup"], "lifeos_desk.commands.backup"),
    (["--home=/h", "info", "--json"], "lifeos_desk.commands.info"),
    (["--back", "/b", "list"], "lifeos_desk.commands.list"),  # argparse accepts a prefix of an option
    ([], None),
    (["--demo"], None),
    (["--help", "verify"], None),
    (["--version"], None),
    (["verfy", "x"], None),  # a typo: the full parser names the choices
    (["archive_io"], None),  # a helper module, not a command
])
def test_named_command(argv: list[str], module: str | None) -> None:
    assert named_command(argv) == module


def test_one_command_parses_as_with_all(tmp_path: Path) -> None:
    argv = ["--home", str(tmp_path), "verify", "x.tar.gz", "--check", "quick", "--read-only"]
    one, full = build_parser(named_command(argv)).parse_args(argv), build_parser().parse_args(argv)
    assert {k: v for k, v in vars(one).items() if k != "_run"} == {k: v for k, v in vars(full).items() if k != "_run"}
    assert one._run is full._run


def test_verify_loads_no_other_command() -> None:
    code = ("import sys; from lifeos_desk.cli import main\n"
            "try:\n    main(['verify', '--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('lifeos_desk.commands.')))\n"
            "print('lifeos_desk.core.archive.make' in sys.modules, 'numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    assert out.splitlines()[-2:] == ["['lifeos_desk.commands.archive_io', 'lifeos_desk.commands.verify']",
                                     "False False"]
