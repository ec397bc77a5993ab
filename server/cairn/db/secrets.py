"""Queries about secrets, and about every column that holds a Fernet token.

A secret belongs to a node or to a group (its owner); its content column
holds a token of cairn.crypto, never plain text.
"""

from sqlalchemy import bindparam, delete, insert, or_, select, update

from .objects import narrowed
from .schema import bmcsetup, group, node, secret

#: kind of owner -> (owner table, the secret column that points at it)
OWNERS = {"node": (node, secret.c.node_id), "group": (group, secret.c.nodegroup_id)}

#: Every (table, column) that holds a Fernet token: a key rotation re-encrypts them all.
ENCRYPTED = ((secret, secret.c.content), (bmcsetup, bmcsetup.c.password))


def of_owner(conn, kind, owner_id, name=None):
    """(id, name, path, content) of the owner's secrets by name; only ``name`` if given."""
    column = OWNERS[kind][1]
    query = (select(secret.c.id, secret.c.name, secret.c.path, secret.c.content)
             .where(column == owner_id).order_by(secret.c.name))
    if name is not None:
        query = query.where(secret.c.name == name)
    return conn.execute(query).all()


# Built once (see db.objects): every installer reads them.
_OF_NODE_AND_GROUP = (select(secret.c.id, secret.c.name, secret.c.path, secret.c.content, secret.c.node_id)
                      .where(or_(secret.c.node_id == bindparam("node_id"),
                                 secret.c.nodegroup_id == bindparam("group_id")))
                      .order_by(secret.c.name))


def of_node_and_group(conn, node_id, group_id):
    """(group's, node's): the (id, name, path, content) of the secrets of a node and of
    its group by name, in one query (every installer reads both)."""
    rows = conn.execute(_OF_NODE_AND_GROUP, {"node_id": node_id, "group_id": group_id}).all()
    return ([row for row in rows if row.node_id != node_id],
            [row for row in rows if row.node_id == node_id])


def by_owner(conn, kind, where=None):
    """(owner, name, path, content) of every secret of every owner of ``kind``,
    by owner name, then by secret name; ``where`` narrows the owners."""
    table, column = OWNERS[kind]
    return conn.execute(narrowed(
        select(table.c.name.label("owner"), secret.c.name, secret.c.path, secret.c.content)
        .join(table, table.c.id == column), where).order_by(table.c.name, secret.c.name)).all()


def group_of(conn, node_row):
    """The (id, name) of a node's group."""
    return conn.execute(select(group.c.id, group.c.name).where(group.c.id == node_row.nodegroup_id)).one()


def create(conn, kind, owner_id, values):
    conn.execute(insert(secret).values({OWNERS[kind][1]: owner_id, **values}))


def change(conn, secret_id, values):
    conn.execute(update(secret).where(secret.c.id == secret_id).values(**values))


def remove(conn, secret_id):
    conn.execute(delete(secret).where(secret.c.id == secret_id))


def lock_before_encrypting(conn, table):
    """Call before encrypting a value to store in ``table``.

    A key rotation locks every encrypted table while it re-encrypts, and drops
    the old key after it commits. A value encrypted before the rotation began
    but written after it read the table would be lost with the old key; taking
    this lock first makes the write wait for the rotation, and then encrypt
    with the new key. (SQLite writers are serialised by the database lock
    their transaction holds from its start.)
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f'LOCK TABLE "{table.name}" IN ROW EXCLUSIVE MODE')


def lock_encrypted(conn):
    """Keep every writer of an encrypted column waiting until this transaction ends;
    readers go on."""
    if conn.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table, dummy in ENCRYPTED)
        conn.exec_driver_sql(f"LOCK TABLE {names} IN EXCLUSIVE MODE")


def tokens(conn, table, column):
    """(id, token) of every row of ``table`` whose ``column`` holds a token."""
    return conn.execute(select(table.c.id, column).where(column.isnot(None))).all()


def set_token(conn, table, column, row_id, token):
    conn.execute(update(table).where(table.c.id == row_id).values({column.name: token}))
