"""Table models over the live database: bounded windows, SQL sort/filter, staged edits.

See ``window.py`` for why the rows are windowed instead of read through a
plain QSqlTableModel (docs/architecture.md, 'Half-read statements pin the WAL').
"""
