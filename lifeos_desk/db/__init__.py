"""Database access for the GUI process: QtSql only (docs/architecture.md, 'One SQLite library per process')."""
