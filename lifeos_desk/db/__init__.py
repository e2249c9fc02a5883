"""Database access for the GUI process: QtSql only (ENGINEERING.md fact 1)."""
