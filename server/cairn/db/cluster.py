"""The one cluster row and the controllers registered against this database."""

import time

from sqlalchemy import insert, select, update

from .schema import cluster, controller

CLUSTER_ID = 1
_GET = select(cluster).where(cluster.c.id == CLUSTER_ID)  # built once (see db.objects)


def get(conn):
    return conn.execute(_GET).first()


def ensure(conn, name):
    """Create the cluster row on an empty database."""
    if get(conn) is None:
        conn.execute(insert(cluster).values(id=CLUSTER_ID, name=name, provision_method="torrent",
                                            provision_fallback="http", debug=False))


def change(conn, values):
    if values:  # an UPDATE without values is an SQL syntax error
        conn.execute(update(cluster).where(cluster.c.id == CLUSTER_ID).values(**values))


def controllers(conn):
    return conn.execute(select(controller).order_by(controller.c.name)).all()


def register_controller(conn, name, ipaddr, port):
    """Record this server (by name) with the address it serves on."""
    values = dict(ipaddr=ipaddr, serverport=port, status="active", started_at=int(time.time()))
    if conn.execute(select(controller.c.id).where(controller.c.name == name)).first():
        conn.execute(update(controller).where(controller.c.name == name).values(**values))
    else:
        conn.execute(insert(controller).values(name=name, **values))
