"""Queries every named object shares: by name, by id, insert, update, delete.

Reads take ``where``: a condition that narrows the rows (the scope of a tenant,
see service.scope), or None.

The statements every request runs are built once, with bind parameters (here once
per table): building a SELECT and its cache key costs SQLAlchemy some 65 µs, three
times what running it on SQLite costs, and a node's boot runs ten of them. A
statement narrowed further is built anew, as any other.
"""

import functools

from sqlalchemy import bindparam, delete, func, insert, select, update

from .schema import FOLDED_NAMES


def narrowed(query, where):
    """``query`` with the condition ``where`` added, unless it is None."""
    return query if where is None else query.where(where)


@functools.cache
def _by_name(table):
    return select(table).where(table.c.name == bindparam("name"))


@functools.cache
def _names_by_id(table):
    return select(table.c.id, table.c.name).where(table.c.id.in_(bindparam("ids", expanding=True)))


def by_name(conn, table, name, for_update=False, where=None):
    query = narrowed(_by_name(table), where)
    if for_update:
        query = query.with_for_update()
    return conn.execute(query, {"name": name}).first()


def holder_of_name(conn, table, name):
    """The name of the row that holds ``name`` already, or None: compared without case
    in the tables whose names are host names (schema.FOLDED_NAMES)."""
    if table in FOLDED_NAMES:
        condition = func.lower(table.c.name) == name.lower()
    else:
        condition = table.c.name == name
    return conn.execute(select(table.c.name).where(condition)).scalar()


def ids_by_name(conn, table, names):
    """{name: id} for those of ``names`` that exist."""
    names = list(set(names))
    if not names:
        return {}
    return dict(conn.execute(select(table.c.name, table.c.id).where(table.c.name.in_(names))).all())


def names_by_id(conn, table, ids=None):
    """{id: name} of every row, or of the rows ``ids`` names (None in it is ignored;
    nothing to look up is no query)."""
    if ids is None:
        return dict(conn.execute(select(table.c.id, table.c.name)).all())
    ids = [i for i in set(ids) if i is not None]
    if not ids:
        return {}
    return dict(conn.execute(_names_by_id(table), {"ids": ids}).all())


def all_rows(conn, table, where=None):
    return conn.execute(narrowed(select(table), where).order_by(table.c.name)).all()


def create(conn, table, values):
    return conn.execute(insert(table).values(**values)).inserted_primary_key[0]


def change(conn, table, row_id, values):
    if values:
        conn.execute(update(table).where(table.c.id == row_id).values(**values))


def remove(conn, table, row_id):
    conn.execute(delete(table).where(table.c.id == row_id))


def names_where(conn, table, column, value, limit=None, where=None):
    """Names of the rows whose ``column`` equals ``value``, sorted."""
    query = narrowed(select(table.c.name).where(column == value), where).order_by(table.c.name)
    if limit:
        query = query.limit(limit)
    return conn.execute(query).scalars().all()
