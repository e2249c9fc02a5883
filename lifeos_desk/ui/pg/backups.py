"""The Backups area in a PostgreSQL session: the data home's backups, each also holding the database's pg_dump.

The same panel as the SQLite window's (ui/backups/panel.py) on the home the
console resolved (``--home``, LIFEOS_HOME, settings): "Back up now" runs
``lifeos-desk backup --database-url <conninfo>`` as a child, so the archive
gets ``postgresql/<db>.dump`` beside the home's members
(core/archive/pgmember.py). The connection string passed carries no
password; one typed into this window, or taken from DATABASE_URL, goes to
the child as PGPASSWORD in its environment only (docs/architecture.md,
'PostgreSQL').
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ...core.archive.pgmember import source_of
from ...core.paths import DataPaths
from ...core.pgurl import PgParams
from ...core.settings import Settings
from ..backups.panel import BackupsPanel


def pg_backups_panel(params: PgParams, paths: DataPaths, settings: Settings,
                     parent: QWidget | None = None) -> BackupsPanel:
    """The Backups panel whose backups include this session's database."""
    source = source_of(params)
    env = {"PGPASSWORD": source.password} if source.password else None
    panel = BackupsPanel(paths, settings, parent, backup_args=("--database-url", source.conninfo), backup_env=env)
    panel.backup_action.setToolTip("Make a consistent archive of the data home and a pg_dump of "
                                   f"{params.label}")
    return panel
