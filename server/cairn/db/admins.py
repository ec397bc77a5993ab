"""Queries about admin principals."""

from sqlalchemy import func, insert, select

from .schema import admin


def by_name(conn, name):
    return conn.execute(select(admin).where(admin.c.name == name)).first()


def by_uid(conn, uid):
    return conn.execute(select(admin).where(admin.c.uid == uid)).first()


def count(conn):
    return conn.execute(select(func.count()).select_from(admin)).scalar_one()


def create(conn, **values):
    conn.execute(insert(admin).values(**values))
