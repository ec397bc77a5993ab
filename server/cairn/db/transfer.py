"""Queries of the cluster export and import."""

from sqlalchemy import select

from .schema import metadata

# Tables that hold the state of running servers, not configuration.
_RUNTIME = {"cluster", "controller", "admin", "journal", "job", "login_attempt", "change_count"}


def is_empty(conn):
    """Whether no object of the configuration exists yet."""
    return not any(conn.execute(select(table.c.id).limit(1)).first()
                   for name, table in metadata.tables.items() if name not in _RUNTIME)
