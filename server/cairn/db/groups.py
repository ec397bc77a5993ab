"""Queries about groups, their interface lists and their members."""

from sqlalchemy import bindparam, delete, insert, select, update

from .objects import narrowed
from .schema import group, group_interface, network, node

# Built once (see db.objects): a group's record reads its interfaces.
_INTERFACES = (select(group_interface.c.nodegroup_id, group_interface.c.interface,
                      group_interface.c.network_id, network.c.name.label("network"))
               .join(network, network.c.id == group_interface.c.network_id)
               .order_by(group_interface.c.id))
_INTERFACES_OF = _INTERFACES.where(group_interface.c.nodegroup_id == bindparam("group_id"))


def interfaces(conn, group_id=None):
    """(group id, interface, network id, network name) rows, in the order they were added."""
    if group_id is None:
        return conn.execute(_INTERFACES).all()
    return conn.execute(_INTERFACES_OF, {"group_id": group_id}).all()


def set_interface(conn, group_id, interface, network_id):
    """Add the interface to the group, or move it to another network. True if it changed."""
    current = conn.execute(select(group_interface.c.id, group_interface.c.network_id).where(
        group_interface.c.nodegroup_id == group_id, group_interface.c.interface == interface)).first()
    if current is None:
        conn.execute(insert(group_interface).values(
            nodegroup_id=group_id, interface=interface, network_id=network_id))
        return True
    if current.network_id != network_id:
        conn.execute(update(group_interface).where(group_interface.c.id == current.id)
                     .values(network_id=network_id))
        return True
    return False


def delete_interface(conn, group_id, interface):
    """Remove the interface from the group; the network it was in, or None if absent."""
    current = conn.execute(select(group_interface.c.id, group_interface.c.network_id).where(
        group_interface.c.nodegroup_id == group_id, group_interface.c.interface == interface)).first()
    if current is not None:
        conn.execute(delete(group_interface).where(group_interface.c.id == current.id))
        return current.network_id
    return None


def member_ids(conn, group_id):
    return conn.execute(select(node.c.id).where(node.c.nodegroup_id == group_id)
                        .order_by(node.c.name)).scalars().all()


def all_groups(conn, where=None):
    return conn.execute(narrowed(select(group), where).order_by(group.c.name)).all()
