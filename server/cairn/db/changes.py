"""What a server process keeps between requests, and how it knows when that is stale.

A node's record takes its group's values, the group's take the cluster's, and it
names its networks, image, switch and tenancy. A boot storm asks for the records
of thousands of nodes of a few groups: each process keeps those shared parts
(``kept``) instead of reading them in every request, and reads one count instead.

The count (``change_count.shared``) is of the committed write transactions that
changed a table outside UNCOUNTED. Every write runs in db.engine.transaction,
which records the tables its statements write, whatever built them (``track``):
a statement whose table cannot be told counts as a change. The increment is the
transaction's last statement, so that on PostgreSQL its row stays locked only
while the transaction commits.

What is kept comes from a read transaction, which is one snapshot (db.engine),
together with the count it was read at; a write transaction builds afresh, as it
may have changed what it reads.
"""

import weakref

from sqlalchemy import event, select, update

from .schema import change_count, job, journal, login_attempt, node, node_interface, secret

#: Tables whose writes leave the count alone: a node's own rows, which every request
#: reads afresh (a node's status changes in every boot), and the server's bookkeeping.
#: Nothing that is kept may be read from them (tests/unit/test_changes.py checks it).
UNCOUNTED = frozenset(table.name for table in (node, node_interface, secret, journal, job,
                                               login_attempt))
# Statements that write no table, by their first word (the rest of the driver SQL
# db.engine and the db modules run: BEGIN IMMEDIATE, LOCK TABLE...).
_NOT_WRITING = frozenset({"SELECT", "BEGIN", "SET", "LOCK", "PRAGMA", "SAVEPOINT", "RELEASE"})
_UNKNOWN = "?"

# Keys of Connection.info (the DBAPI connection's, so per transaction once reset).
_WRITTEN = "cairn_written"  # the tables written by the open write transaction
_COUNT = "cairn_count"      # the count, as the open read transaction sees it

_INCREMENT = update(change_count).where(change_count.c.id == 1).values(
    shared=change_count.c.shared + 1)
_READ = select(change_count.c.shared).where(change_count.c.id == 1)
#: The count as a column of another statement (see ``seen``): a boot reads it with its node.
COUNT = _READ.scalar_subquery().label("change_count")

_kept = weakref.WeakKeyDictionary()  # engine -> {build: (count, what it built)}


def track(engine):
    """Record, in each write transaction of ``engine``, the tables its statements write."""
    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(conn, _cursor, statement, _parameters, context, _executemany):
        written = conn.info.get(_WRITTEN)
        if written is None:
            return
        if context.isinsert or context.isupdate or context.isdelete:
            written.add(context.compiled.statement.table.name)
        elif statement.split(None, 1)[0].upper() not in _NOT_WRITING:
            written.add(_UNKNOWN)  # text() or driver SQL that may write


def begin(conn, write):
    """Called as a transaction begins on ``conn``."""
    if write:
        conn.info[_WRITTEN] = set()


def commit(conn):
    """Called as a write transaction on ``conn`` is about to commit: count it if it changed
    a counted table."""
    if not conn.info.pop(_WRITTEN) <= UNCOUNTED:
        conn.execute(_INCREMENT)


def end(conn):
    """Called once the transaction on ``conn`` is over, whichever way."""
    conn.info.pop(_WRITTEN, None)
    conn.info.pop(_COUNT, None)


def seen(conn, count):
    """Note the count (COUNT) a statement of the open transaction read: ``kept`` then reads
    it no more."""
    if conn.info.get(_WRITTEN) is None:
        conn.info[_COUNT] = count


def kept(conn, build):
    """``build(conn)``: what this process built with it before, while the count is the
    same as then. Callers must not change it: other requests share it."""
    if conn.info.get(_WRITTEN) is not None:
        return build(conn)
    count = conn.info.get(_COUNT)
    if count is None:
        count = conn.info[_COUNT] = conn.execute(_READ).scalar_one()
    held = _kept.get(conn.engine)
    if held is None:
        held = _kept.setdefault(conn.engine, {})
    entry = held.get(build)
    if entry is not None and entry[0] == count:
        return entry[1]
    value = build(conn)
    held[build] = (count, value)
    return value
