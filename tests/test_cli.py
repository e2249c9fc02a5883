"""The command line: global options anywhere, info on both schemas, one-line failures."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from lifeos_desk import __version__
from lifeos_desk.cli import build_parser


def cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
        input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lifeos_desk", *args], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, **(env or {})}, input=input, timeout=120)


def assert_one_line_failure(proc: subprocess.CompletedProcess[str], code: int, words: str) -> None:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], proc.stderr


@pytest.fixture(scope="module")
def demo_homes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    homes = {}
    for schema in ("adr", "deployed"):
        home = tmp_path_factory.mktemp(schema) / "home"
        proc = cli("demo", str(home), "--schema", schema, "--users", "4", "--trades", "300",
                   "--log-lines", "50", "--seed", "7")
        assert proc.returncode == 0, proc.stderr
        assert "passphrase" in proc.stdout
        homes[schema] = home
    return homes


def test_version() -> None:
    proc = cli("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"lifeos-desk {__version__}"


def test_global_options_before_or_after_subcommand(tmp_path: Path) -> None:
    parser = build_parser()
    a = parser.parse_args(["info", "--home", str(tmp_path), "--logs", "a", "--logs", "b", "--read-only"])
    b = parser.parse_args(["--home", str(tmp_path), "--logs", "a", "--logs", "b", "--read-only", "info"])
    for ns in (a, b):
        assert ns.home == tmp_path and ns.logs == [Path("a"), Path("b")] and ns.read_only is True


@pytest.mark.parametrize("schema", ["adr", "deployed"])
def test_info_on_demo_homes(demo_homes: dict[str, Path], schema: str) -> None:
    home = demo_homes[schema]
    proc = cli("info", "--json", "--home", str(home))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["schema"] == {"adr": "ADR-005", "deployed": "deployed bot"}[schema]
    assert report["journal_mode"] == {"adr": "wal", "deployed": "delete"}[schema]
    trades = "trades" if schema == "adr" else "transactions"
    con = sqlite3.connect(f"file:{home / 'public_users.db'}?mode=ro", uri=True)
    expected = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in report["tables"]}
    con.close()
    assert report["tables"] == expected and expected[trades] >= 300
    assert report["sqlite_qtsql"] and report["sqlite_python"] == sqlite3.sqlite_version
    text = cli("--home", str(home), "info").stdout
    assert "QtSql" in text and "Python sqlite3" in text and str(home) in text


def test_env_home_is_used(demo_homes: dict[str, Path], tmp_path: Path) -> None:
    proc = cli("info", "--json", env={"LIFEOS_HOME": str(demo_homes["adr"])}, cwd=tmp_path)
    assert proc.returncode == 0 and json.loads(proc.stdout)["home"] == str(demo_homes["adr"])


def test_missing_home(tmp_path: Path) -> None:
    assert_one_line_failure(cli("info", "--home", str(tmp_path / "nope")), 10, "no database at")


def test_not_sqlite_and_empty(tmp_path: Path) -> None:
    (tmp_path / "public_users.db").write_text("hello\n" * 100)
    assert_one_line_failure(cli("info", "--home", str(tmp_path)), 11, "not a SQLite database")
    (tmp_path / "public_users.db").unlink()
    sqlite3.connect(tmp_path / "public_users.db").close()
    assert_one_line_failure(cli("info", "--home", str(tmp_path)), 16, "empty database")


def test_encrypted(tmp_path: Path) -> None:
    (tmp_path / "public_users.db").write_bytes(os.urandom(8192))
    assert_one_line_failure(cli("info", "--home", str(tmp_path)), 12, "encrypted")


def test_corrupt(demo_homes: dict[str, Path], tmp_path: Path) -> None:
    src = demo_homes["deployed"] / "public_users.db"
    data = bytearray(src.read_bytes())
    for p in range(2, len(data) // 4096):
        data[p * 4096: p * 4096 + 32] = b"\x5a" * 32
    (tmp_path / "public_users.db").write_bytes(bytes(data))
    assert_one_line_failure(cli("info", "--home", str(tmp_path)), 13, "corrupt")


def test_locked(tmp_path: Path) -> None:
    con = sqlite3.connect(tmp_path / "public_users.db")
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1], isolation_level=None);"
         "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); sys.stdin.read()",
         str(tmp_path / "public_users.db")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        proc = cli("info", "--home", str(tmp_path), "--busy-timeout", "300")
        assert_one_line_failure(proc, 14, "locked")
    finally:
        holder.communicate("")


def test_demo_refuses_existing_home(demo_homes: dict[str, Path]) -> None:
    assert_one_line_failure(cli("demo", str(demo_homes["adr"])), 3, "already exists")


def _verify(home: Path, stdin: bytes, *extra: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "lifeos_desk", "vault", "verify", "--home", str(home), *extra],
                          input=stdin, capture_output=True, timeout=120, check=False)


def test_item15_vault_verify_prints_results_when_the_audit_log_cannot_be_written(
        tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    from tests.db.vault_homes import demo_copy

    home, passphrase = demo_copy(tmp_path_factory, tmp_path / "home", "deployed", users=3)
    audit = home / "logs" / "audit.jsonl"
    before = audit.read_bytes()
    audit.unlink()
    audit.mkdir()  # the entry cannot be written (as root, a read-only mode would not stop it)
    proc = _verify(home, passphrase.encode() + b"\n")
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert proc.returncode == 0, err
    assert out.splitlines()[-1].startswith("3 wallets in 1 store(s): 3 verified")
    assert "Traceback" not in err
    assert all(line.startswith("warning: the audit") for line in err.strip().splitlines())
    assert "audit entry could not be written" in err and str(audit) in err
    assert passphrase not in out + err and before


def test_item16_non_utf8_passphrase_on_stdin_is_one_clear_line(tmp_path_factory: pytest.TempPathFactory,
                                                               tmp_path: Path) -> None:
    from tests.db.vault_homes import demo_copy

    home, _ = demo_copy(tmp_path_factory, tmp_path / "home", "adr", users=2)
    proc = _verify(home, b"caf\xe9 \xff\xfe secret\n")
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "not valid UTF-8" in lines[0], err
    assert "secret" not in err and "caf" not in err
