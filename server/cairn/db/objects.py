"""Queries every named object shares: by name, by id, insert, update, delete."""

from sqlalchemy import delete, insert, select, update


def by_name(conn, table, name, for_update=False):
    query = select(table).where(table.c.name == name)
    if for_update:
        query = query.with_for_update()
    return conn.execute(query).first()


def ids_by_name(conn, table, names):
    """{name: id} for those of ``names`` that exist."""
    names = list(set(names))
    if not names:
        return {}
    return dict(conn.execute(select(table.c.name, table.c.id).where(table.c.name.in_(names))).all())


def names_by_id(conn, table):
    return dict(conn.execute(select(table.c.id, table.c.name)).all())


def all_rows(conn, table):
    return conn.execute(select(table).order_by(table.c.name)).all()


def create(conn, table, values):
    return conn.execute(insert(table).values(**values)).inserted_primary_key[0]


def change(conn, table, row_id, values):
    if values:
        conn.execute(update(table).where(table.c.id == row_id).values(**values))


def remove(conn, table, row_id):
    conn.execute(delete(table).where(table.c.id == row_id))


def names_where(conn, table, column, value, limit=None):
    """Names of the rows whose ``column`` equals ``value``, sorted."""
    query = select(table.c.name).where(column == value).order_by(table.c.name)
    if limit:
        query = query.limit(limit)
    return conn.execute(query).scalars().all()
