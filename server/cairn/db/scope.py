"""What a tenant sees, as SQL conditions: its nodes, and the objects those nodes use.

Each condition is built of subqueries, so scoping a query adds to its WHERE
clause and never adds a statement: a tenant's listing of many nodes costs
the same number of statements as anyone's.
"""

from sqlalchemy import false, select, union

from .schema import (admin, bmcsetup, group, group_interface, journal, network, node,
                     node_interface, osimage, tenancy, tenant)


def _own(tenant_id):
    """The condition on node rows: the node is in one of the tenant's tenancies."""
    return node.c.tenancy_id.in_(select(tenancy.c.id).where(tenancy.c.tenant_id == tenant_id))


def _nodes(tenant_id):
    return select(node.c.id).where(_own(tenant_id))


def _groups(tenant_id):
    return select(node.c.nodegroup_id).where(_own(tenant_id))


def _osimages(tenant_id):
    """The nodes' own images and their groups' (a group's record names its image)."""
    return union(select(node.c.osimage_id).where(_own(tenant_id)),
                 select(group.c.osimage_id).where(group.c.id.in_(_groups(tenant_id))))


def _networks(tenant_id):
    """The networks of the nodes' interfaces, and of their groups' interface lists."""
    return union(
        select(node_interface.c.network_id).where(node_interface.c.node_id.in_(_nodes(tenant_id))),
        select(group_interface.c.network_id)
        .where(group_interface.c.nodegroup_id.in_(_groups(tenant_id))))


def _bmcsetups(tenant_id):
    return select(group.c.bmcsetup_id).where(group.c.id.in_(_groups(tenant_id)))


def _principals(tenant_id):
    """The uids a tenant's writes are journaled under: its own token's and its users'."""
    return union(select(tenant.c.uid).where(tenant.c.id == tenant_id),
                 select(admin.c.uid).where(admin.c.tenant_id == tenant_id))


#: table -> (the column its rows are known by, the values of that column a tenant sees).
#: A table missing here is one a tenant sees nothing of (switches, racks, jobs, ...).
_VISIBLE = {
    node: ("id", _nodes),
    group: ("id", _groups),
    osimage: ("id", _osimages),
    network: ("id", _networks),
    bmcsetup: ("id", _bmcsetups),
    journal: ("principal_uid", _principals),
}


def visible(table, tenant_id, column=None):
    """The condition that keeps the rows of ``table`` the tenant may see; with ``column``
    (a column of another table pointing at ``table``), the rows whose ``column`` points
    at one of those."""
    if table not in _VISIBLE:
        return false()
    key, values = _VISIBLE[table]
    return (table.c[key] if column is None else column).in_(values(tenant_id))
