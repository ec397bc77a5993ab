"""Queries about login attempts: the rows the login throttle counts (service.throttle)."""

from sqlalchemy import delete, insert, select

from .schema import login_attempt


def lock(conn):
    """Hold off other counters of attempts until this transaction ends, so that parallel
    guesses cannot all count the same earlier ones. SQLite's writers are serial already."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE login_attempt IN SHARE ROW EXCLUSIVE MODE")


def forget_before(conn, moment):
    """Remove every client's attempts made before ``moment`` (milliseconds)."""
    conn.execute(delete(login_attempt).where(login_attempt.c.at < moment))


def times(conn, client):
    """The moments of ``client``'s attempts, oldest first."""
    return conn.execute(select(login_attempt.c.at).where(login_attempt.c.client == client)
                        .order_by(login_attempt.c.at)).scalars().all()


def add(conn, client, moment):
    """Count an attempt of ``client`` at ``moment``; its id."""
    return conn.execute(insert(login_attempt).values(client=client, at=moment)).inserted_primary_key[0]


def remove(conn, attempt_id):
    conn.execute(delete(login_attempt).where(login_attempt.c.id == attempt_id))


def clients(conn):
    """Every client with an attempt counted."""
    return set(conn.execute(select(login_attempt.c.client).distinct()).scalars())
