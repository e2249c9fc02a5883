"""core/pgurl.py: a PostgreSQL URL split for QPSQL, the password refused on argv and kept apart otherwise."""

from __future__ import annotations

import pytest

from lifeos_desk.core.migrate.errors import BadTarget
from lifeos_desk.core.pgurl import pg_params


def test_url_pieces_and_the_other_keywords_as_connect_options() -> None:
    p = pg_params("postgresql://ops@db.example:6543/jarvis?sslmode=require&application_name=my%20app")
    assert (p.host, p.port, p.dbname, p.user, p.password) == ("db.example", 6543, "jarvis", "ops", "")
    assert p.label == "ops@db.example:6543/jarvis"
    opts = p.connect_options()
    assert "sslmode=require" in opts and "application_name='my app'" in opts and "connect_timeout=10" in opts


def test_password_refused_unless_from_the_environment() -> None:
    url = "postgresql://ops:hunter2@localhost:5432/jarvis"
    with pytest.raises(BadTarget, match="PGPASSWORD") as err:
        pg_params(url)
    assert "hunter2" not in str(err.value)
    p = pg_params(url, allow_password=True)
    assert p.password == "hunter2" and "hunter2" not in p.label + repr(p) + p.connect_options()
