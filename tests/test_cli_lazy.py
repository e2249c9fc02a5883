"""The CLI imports only the command it runs (``cli.command_of``), and parses the same with it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lifeos_desk.cli import build_parser, command_of


@pytest.mark.parametrize(("argv", "command"), [
    (["backup", "--no-retention"], "backup"),
    (["--home", "backup", "info"], "info"),  # a global option's value is never the command
    (["--logs", "a", "--logs", "b", "--bot-dir", "x", "restore", "A.tar.gz"], "restore"),
    (["--home=X", "verify", "A"], "verify"),
    (["--read-only", "list"], "list"),
    ([], None),
    (["--demo"], None),
    (["nonsense"], None),
    (["--", "backup"], None),
])
def test_command_of_finds_the_subcommand(argv: list[str], command: str | None) -> None:
    assert command_of(argv) == command


def test_one_command_parser_parses_as_the_full_one() -> None:
    argv = ["--home", "/h", "backup", "--keep", "3", "--check", "quick", "--backups", "/b"]
    full, one = build_parser().parse_args(argv), build_parser("backup").parse_args(argv)
    assert {k: v for k, v in vars(full).items() if k != "_run"} == {k: v for k, v in vars(one).items() if k != "_run"}


def test_a_backup_does_not_import_the_other_commands() -> None:
    code = ("import sys; from lifeos_desk import cli; cli.build_parser(cli.command_of(['backup'])); "
            "print(sorted(m for m in sys.modules if m.startswith('lifeos_desk.commands.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "lifeos_desk.commands.backup" in out and "lifeos_desk.commands.vault" not in out
