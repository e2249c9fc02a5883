"""Table models over the live database: bounded windows, SQL sort/filter, staged edits.

The display model (``window.TableWindowModel``) shows a million rows through
small, finished queries (issue 3; docs/architecture.md, 'Half-read statements
pin the WAL'). A plain QSqlTableModel reads 256 rows and leaves its statement
open while ``canFetchMore()`` is true: an open read transaction that stops the
bot's checkpoints, so its ``-wal`` grows without bound. Subclassing QSqlTableModel and replacing ``select()`` does not
fix that cleanly: its editing cache, ``record(row)`` and ``submitAll()`` all
read rows back from that one open ``QSqlQuery``. So the display model is a
``QAbstractTableModel`` over *windows*: blocks of ``BLOCK_ROWS`` rows, each
read by one ``LIMIT``-bounded query that is read to its end before the call
returns (``sql.fetch_rows``), kept in a small LRU so memory stays flat while the
admin scrolls end to end. Between events no statement is open, ever.

* Row count: an exact ``COUNT(*)`` with the current filter, so the scroll bar
  is the whole table and "jump to the end" is the real last row.
* Reaching a block: from a cached neighbour by *keyset* (``(col, rowid) >
  (?, ?)``, an index range), otherwise by ``OFFSET`` counted from the nearer
  end (the last rows are ``ORDER BY ... DESC LIMIT n``, i.e. instant).
* Sort and filter: in SQL, ``ORDER BY col, rowid`` (rowid makes it total and
  keysets exact); filters are ``core.filters`` clauses with bound parameters.
* Row identity (``keys.py``): "rowid" above means the table's real row
  identity — the first rowid alias no user column shadows, a WITHOUT ROWID
  table's (composite) primary key, else OFFSET paging over every column.
* Bounded cells (``cells.py``): windows read a prefix and the length of long
  texts and blobs; the whole value is streamed on demand in 1 MB queries.
* Edits: staged in memory (no write lock while pending: DB Browser holds
  one, we don't), shown as pending, written by ``editor.save_edits`` through
  a QSqlTableModel in one short transaction — that is where QSqlTableModel
  earns its keep, on a handful of rows it reads to the end.
* Live: ``refresh()`` recounts and drops the cached blocks without resetting
  the model, so sort, filter, selection, scroll position and pending edits
  stay; rows newer than the last refresh are marked (``NewRole``) for a moment.

Data access only: colours, fonts, alignment and tooltips are the UI's
(``ui/tables/style.py``).
"""
