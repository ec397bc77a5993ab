"""Putting a node's interface into a network, with an address, in one transaction."""

from ..db import addresses, nodes as db_nodes
from ..db.schema import node_interface
from .allocation import Allocator
from .errors import invalid


class NodeInterfaces:
    """The interfaces of some nodes, changed through one allocator.

    Callers name every network they will touch first (``lock``), so that
    concurrent writers queue on the network rows before choosing addresses.
    """

    def __init__(self, conn, networks_by_id, node_ids):
        self.conn = conn
        self.alloc = Allocator(conn, networks_by_id)
        self.current = {}
        for row in db_nodes.interfaces(conn, node_ids):
            self.current.setdefault(row.node_id, {})[row.interface] = row

    def lock(self, network_ids):
        self.alloc.lock(network_ids)

    def reserve(self, field, node_id, interface, network_id, ip):
        """Before any ``assign``: keep the numbering of this request off ``ip``."""
        existing = self.current.get(node_id, {}).get(interface)
        network_id = network_id or (existing.network_id if existing else None)
        if network_id is not None:
            self.alloc.reserve(f"{field}.ipaddress", network_id, ip)

    def assign(self, field, node_id, interface, network_id=None, ip=None):
        """Make ``interface`` of the node sit in ``network_id`` with ``ip``.

        An interface already in that network keeps its address unless another
        is asked for; a new one, or one moved to another network, gets the
        first free address unless one is asked for.
        """
        existing = self.current.get(node_id, {}).get(interface)
        if network_id is None:
            if existing is None:
                raise invalid(f"{field}.network", f"is required for the new interface '{interface}'")
            network_id = existing.network_id
        same_network = existing is not None and existing.network_id == network_id
        if ip is None and same_network:
            return
        if ip is not None:
            key = self.alloc.chosen_key(f"{field}.ipaddress", network_id, ip,
                                        (node_interface.name, existing.id) if same_network else None)
        else:
            key = self.alloc.next_key(field, network_id)
        if existing is None:
            db_nodes.add_interface(self.conn, node_id, interface, network_id, key)
        elif (existing.network_id, existing.ip_key) != (network_id, key):
            addresses.lower_floor(self.conn, existing.network_id, existing.ip_key)
            db_nodes.move_interface(self.conn, existing.id, network_id, key)

    def remove(self, node_id, interface):
        """Drop the interface and free its address. False when the node has none such."""
        existing = self.current.get(node_id, {}).pop(interface, None)
        if existing is None:
            return False
        addresses.lower_floor(self.conn, existing.network_id, existing.ip_key)
        db_nodes.delete_interface(self.conn, existing.id)
        return True
