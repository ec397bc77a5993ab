"""The integrity check an admin runs after a crash (``cairn-server check``): the rules of
the cluster database that its constraints alone do not enforce everywhere.

Each check is a query for the rows that break one rule; a clean database has none.
Foreign keys are checked too, although both engines enforce them: a database copied,
restored or edited by hand (SQLite's ``foreign_keys`` is off outside cairn) may hold
rows that point nowhere, and every later change to them would fail.
"""

import dataclasses

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import String, and_, cast, exists, func, literal, or_, select, union_all

from .migrate import MIGRATIONS
from .schema import group_interface, metadata, node, node_interface, otherdev, secret, switch, tenancy

_EXAMPLES = 5  # rows named per broken rule: enough to find them, short enough to read


@dataclasses.dataclass(frozen=True)
class Finding:
    """The rows that break one rule: how many, and the first few as text."""
    rule: str
    count: int
    examples: list


def _finding(conn, rule, query):
    """``query`` selects one text column naming each breaking row."""
    found = query.subquery()
    count = conn.execute(select(func.count()).select_from(found)).scalar_one()
    examples = conn.execute(select(found.c[0]).limit(_EXAMPLES)).scalars().all() if count else []
    return Finding(rule, count, [str(e) for e in examples])


def _label(table, key_column):
    """A row's name in a finding: "table id=N"."""
    return (literal(f"{table.name} id=") + cast(key_column, String)).label("row")


def _orphans(conn):
    """For every foreign key: the rows that point at a row that is not there."""
    for table in metadata.sorted_tables:
        for fk in sorted(table.foreign_keys, key=lambda fk: fk.parent.name):
            parent = fk.column.table
            missing = ~exists().where(fk.column == fk.parent)
            query = select(_label(table, table.c.id)).where(fk.parent.is_not(None), missing)
            yield _finding(conn, f"{table.name}.{fk.parent.name} points at an existing {parent.name}", query)


def _held_addresses():
    """(network_id, ip_key) of every address held: by node interfaces, switches, other devices."""
    return union_all(*(select(t.c.network_id, t.c.ip_key)
                       .where(t.c.network_id.is_not(None), t.c.ip_key.is_not(None))
                       for t in (node_interface, switch, otherdev))).subquery()


def _duplicate_addresses(conn):
    held = _held_addresses()
    query = (select((literal("network id=") + cast(held.c.network_id, String)
                     + literal(" address key=") + cast(held.c.ip_key, String)).label("row"))
             .group_by(held.c.network_id, held.c.ip_key).having(func.count() > 1))
    yield _finding(conn, "an address is held once in its network", query)


def _half_addresses(conn):
    """A switch or other device has both a network and an address, or neither."""
    for table in (switch, otherdev):
        query = select(_label(table, table.c.id)).where(
            (table.c.network_id.is_(None)) != (table.c.ip_key.is_(None)))
        yield _finding(conn, f"{table.name}.network_id and .ip_key are set together", query)


def _owners(conn):
    both_or_neither = or_(and_(secret.c.node_id.is_(None), secret.c.nodegroup_id.is_(None)),
                          and_(secret.c.node_id.is_not(None), secret.c.nodegroup_id.is_not(None)))
    yield _finding(conn, "a secret belongs to one node or one group",
                   select(_label(secret, secret.c.id)).where(both_or_neither))
    # The system's Quarantine has no tenant; every other tenancy has one.
    yield _finding(conn, "a tenancy has a tenant unless it is the system's",
                   select(_label(tenancy, tenancy.c.id)).where(
                       tenancy.c.system == (tenancy.c.tenant_id.is_not(None))))
    yield _finding(conn, "a node has a uid",
                   select(_label(node, node.c.id)).where(node.c.uid.is_(None)))


def _sqlite_pages(conn):
    """SQLite's own check of its file: pages, indexes and the rows they index agree."""
    if conn.dialect.name != "sqlite":
        return
    answers = conn.exec_driver_sql("PRAGMA integrity_check").scalars().all()
    bad = [a for a in answers if a != "ok"]
    yield Finding("the SQLite file is sound (PRAGMA integrity_check)", len(bad), bad[:_EXAMPLES])


def schema_behind(conn):
    """None when the database is at the latest migration, else its revision (or "empty"):
    the checks query the latest schema."""
    current = MigrationContext.configure(conn).get_current_revision()
    if current == ScriptDirectory(MIGRATIONS).get_current_head():
        return None
    return current or "empty"


def problems(conn):
    """A Finding per rule, in a fixed order; the database is sound when every count is 0."""
    return [*_sqlite_pages(conn), *_orphans(conn), *_duplicate_addresses(conn),
            *_half_addresses(conn), *_owners(conn)]


def nodes_missing_group_interfaces(conn):
    """Not a fault in itself (an admin may delete a node's interface), but what a write
    cut in half would leave: the nodes lacking an interface their group defines."""
    has_it = exists().where(node_interface.c.node_id == node.c.id,
                            node_interface.c.interface == group_interface.c.interface)
    query = (select((node.c.name + literal(": ") + group_interface.c.interface).label("row"))
             .join(group_interface, group_interface.c.nodegroup_id == node.c.nodegroup_id)
             .where(~has_it).order_by(node.c.name, group_interface.c.interface))
    return _finding(conn, "a node has every interface of its group", query)
