"""``lifeos-desk --database-url``: which database the window opens, and what is refused before any window."""

from __future__ import annotations

import pytest

from lifeos_desk.cli import _postgres_target, build_parser, main


def test_cli_refuses_a_password_on_argv_before_any_window(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--database-url", "postgresql://ops:hunter2@localhost/jarvis"]) == 2
    err = capsys.readouterr().err
    assert "--database-url" in err and "PGPASSWORD" in err and "hunter2" not in err


def test_database_url_env_names_postgres_or_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    args = build_parser().parse_args([])
    monkeypatch.setenv("DATABASE_URL", "sqlite:///data/public_users.db")
    assert _postgres_target(args) is None
    monkeypatch.setenv("DATABASE_URL", "postgresql://ops:from-env@localhost:5433/jarvis")
    params = _postgres_target(args)
    assert not isinstance(params, int) and params is not None
    assert params.port == 5433 and params.password == "from-env" and "from-env" not in params.label
