"""Apply Alembic migrations, programmatically: no alembic.ini to find at run time."""

import contextlib
import os

from alembic import command
from alembic.config import Config

MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")


def alembic_config(engine):
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["engine"] = engine
    return config


def upgrade(engine, revision="head"):
    """Bring the database of ``engine`` up to ``revision``."""
    command.upgrade(alembic_config(engine), revision)


# The key of PostgreSQL's advisory lock that start-ups hold: any number, the same in
# every controller's code.
_STARTUP_LOCK = 0x636169726E  # "cairn"


@contextlib.contextmanager
def exclusive(engine):
    """Hold the database's start-up lock: controllers started together on one PostgreSQL
    database migrate and bootstrap it one after the other, where the second would fail
    creating a table (or a row) the first created meanwhile. SQLite serves one
    controller: nothing to hold."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("SELECT pg_advisory_lock(%s)", (_STARTUP_LOCK,))
        try:
            yield
        finally:
            conn.exec_driver_sql("SELECT pg_advisory_unlock(%s)", (_STARTUP_LOCK,))
