"""Small demo homes for the vault's database and UI tests.

A template per schema is generated once per test session (Python's sqlite3,
in this process, before any QtSql connection to it exists: the template is
never opened through QtSql) and copied for each test, so each test gets a
fresh file that only QtSql will ever open (docs/architecture.md, 'One SQLite library per process').
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lifeos_desk.core.demo import DemoSpec, generate_demo_home

TEMPLATES: dict[str, tuple[Path, str]] = {}


def demo_template(factory: pytest.TempPathFactory, schema: str, users: int = 4) -> tuple[Path, str]:
    """(template home, passphrase) for a schema, generated on first use."""
    key = f"{schema}-{users}"
    if key not in TEMPLATES:
        home = factory.mktemp(f"vault-template-{key}")
        result = generate_demo_home(home, DemoSpec(schema=schema, users=users, trades=20, log_lines=10, seed=3))
        TEMPLATES[key] = (home, result.passphrase)
    return TEMPLATES[key]


def demo_copy(factory: pytest.TempPathFactory, dest: Path, schema: str, users: int = 4) -> tuple[Path, str]:
    """A fresh copy of the template home at ``dest``; returns (home, passphrase)."""
    template, passphrase = demo_template(factory, schema, users)
    shutil.copytree(template, dest)
    return dest, passphrase
