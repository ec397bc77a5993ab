"""Engines and transactions for SQLite (embedded default) and PostgreSQL.

One request is one transaction. Writers on SQLite take the write lock when
they begin (BEGIN IMMEDIATE) instead of upgrading a read lock later, which
is what makes concurrent writers fail with "database is locked" elsewhere.
On PostgreSQL, concurrent writers serialise on the rows they lock (see
db.addresses) and a lost race on a unique key is retried by the service.
"""

import contextlib
import os
import threading

from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url

from . import changes

_BUSY_TIMEOUT_MS = 60_000
# SQLite connections of one engine at most, whatever the number of threads: threads
# beyond it wait for a connection (a small pool keeps its overflow of as many again).
# Measured (bench/bench_boot.py, 2 cores): 32 threads reading at once through 32
# connections cost each request nearly 3 times the CPU of 1 thread, half of it in the
# kernel; through 4 connections, 1.6 times. SQLite lets one writer in at a time anyway.
_SQLITE_CONNECTIONS = 4


def make_engine(url, pool_size=32):
    """Create the engine for ``url`` with the settings each backend needs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(parsed.database)), exist_ok=True)
        connections = min(2 * pool_size, _SQLITE_CONNECTIONS)
        engine = create_engine(
            url, pool_size=min(pool_size, connections),
            max_overflow=connections - min(pool_size, connections),
            connect_args={"timeout": _BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size,
                               pool_pre_ping=True)
    changes.track(engine)
    return engine


def _configure_sqlite(engine):
    # pysqlite's own transaction handling begins lazily and never IMMEDIATE;
    # take it over, as SQLAlchemy's SQLite dialect documentation describes.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        write = conn.get_execution_options().get("cairn_write", False)
        # Straight to the driver: through exec_driver_sql, the BEGIN of a boot's read
        # transaction cost some 12 µs (measured), the driver's 1.
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")


# SQLite lets one writer in at a time; waiting writers poll with sleeps of
# up to 100 ms. Queuing them on a lock in the process instead keeps their
# latency to the time of the writes ahead of them.
_SQLITE_WRITERS = threading.Lock()


@contextlib.contextmanager
def transaction(engine, write):
    """A connection inside one transaction: committed on success, rolled back on error."""
    queue = _SQLITE_WRITERS if write and engine.dialect.name == "sqlite" else contextlib.nullcontext()
    with queue, engine.connect() as conn:
        conn = conn.execution_options(cairn_write=write)
        try:
            with conn.begin():
                if not write and engine.dialect.name == "postgresql":
                    # One snapshot for the whole request: a listing takes several
                    # statements, which must not see a write land between them.
                    # (SQLite's read transactions are snapshots already.)
                    conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                changes.begin(conn, write)
                yield conn
                if write:
                    changes.commit(conn)
        finally:
            changes.end(conn)
