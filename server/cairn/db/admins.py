"""Queries about accounts: admins, the superadmin, and tenants' users."""

from sqlalchemy import func, insert, or_, select

from .schema import admin


def by_name(conn, name):
    return conn.execute(select(admin).where(admin.c.name == name)).first()


def by_uid(conn, uid):
    return conn.execute(select(admin).where(admin.c.uid == uid)).first()


def by_ident(conn, ident, for_update=False):
    """The account whose uid, or else whose name, is ``ident`` (the spec's URLs take either)."""
    query = (select(admin).where(or_(admin.c.uid == ident, admin.c.name == ident))
             .order_by((admin.c.uid == ident).desc()).limit(1))
    if for_update:
        query = query.with_for_update()
    return conn.execute(query).first()


def count(conn):
    return conn.execute(select(func.count()).select_from(admin)).scalar_one()


def create(conn, **values):
    conn.execute(insert(admin).values(**values))
