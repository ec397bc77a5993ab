"""Queries of the DNS context: every named address, and a serial for the zones."""

from sqlalchemy import func, select, union_all

from .schema import journal, node, node_interface, otherdev, switch


def named_addresses(conn):
    """(network_id, ip_key, name) of every node interface, switch and other device
    with an address, in one statement: a node interface is named by its node."""
    interfaces = (select(node_interface.c.network_id, node_interface.c.ip_key, node.c.name)
                  .join(node, node.c.id == node_interface.c.node_id))
    devices = [select(table.c.network_id, table.c.ip_key, table.c.name)
               .where(table.c.network_id.is_not(None)) for table in (switch, otherdev)]
    return conn.execute(union_all(interfaces, *devices)).tuples().all()


def journal_length(conn):
    """How many writes the journal holds. Each write adds one entry in its own
    transaction and none is ever removed, so the count grows with every committed
    change, on every controller alike; the highest id would not, as PostgreSQL
    may commit a lower id after a higher one was read."""
    return conn.execute(select(func.count()).select_from(journal)).scalar_one()
