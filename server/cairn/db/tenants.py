"""Queries about tenants and their tenancies."""

from sqlalchemy import select

from .schema import tenant


def by_id(conn, tenant_id):
    return conn.execute(select(tenant).where(tenant.c.id == tenant_id)).first()


def by_uid(conn, uid):
    return conn.execute(select(tenant).where(tenant.c.uid == uid)).first()
