"""The journal table: the audit trail of every write."""

from sqlalchemy import insert, or_, select

from .objects import narrowed
from .schema import controller, journal


def record(conn, **values):
    conn.execute(insert(journal).values(**values))


def controller_exists(conn, name):
    return conn.execute(select(controller.c.id).where(controller.c.name == name)).first() is not None


def entries(conn, controller_name, since=None, limit=None, where=None):
    """Entries made by or sent for a controller, oldest first; ``where`` narrows them."""
    query = (narrowed(select(journal), where)
             .where(or_(journal.c.sendby == controller_name, journal.c.sendfor == controller_name))
             .order_by(journal.c.id))
    if since is not None:
        query = query.where(journal.c.created >= since)
    if limit is not None:
        query = query.order_by(None).order_by(journal.c.id.desc()).limit(limit)
        return list(reversed(conn.execute(query).all()))
    return conn.execute(query).all()
