"""Queries about BMC setups: which nodes use one (through their group)."""

from sqlalchemy import select

from .objects import narrowed
from .schema import group, node


def member_names(conn, bmcsetup_id, where=None):
    """Names of the nodes whose group uses the BMC setup, sorted; ``where`` narrows the nodes."""
    return conn.execute(narrowed(
        select(node.c.name).join(group, group.c.id == node.c.nodegroup_id)
        .where(group.c.bmcsetup_id == bmcsetup_id), where).order_by(node.c.name)).scalars().all()
