"""Choosing and claiming addresses: first free, or exactly the one asked for."""

from ..db import addresses
from .errors import invalid
from .subnet import Subnet, from_key, to_key


def first_free(conn, network_id, subnet, floor_key=None):
    """The first assignable offset not taken in the network, or None when it is full.

    ``floor_key`` is the network's alloc_floor: below it, nothing is free.
    """
    offset = subnet.next_unreserved(subnet.first if floor_key is None else from_key(floor_key))
    while offset is not None:
        keys, batch = addresses.taken_keys_from(conn, network_id, to_key(offset))
        for key in keys:
            taken = from_key(key)
            if taken < offset:
                continue
            if taken > offset:
                return offset
            offset = subnet.next_unreserved(offset + 1)
            if offset is None:
                return None
        if len(keys) < batch:
            return offset
    return None


class Allocator:
    """Claims addresses for one transaction, network rows locked first."""

    def __init__(self, conn, networks_by_id):
        self.conn = conn
        self.networks = networks_by_id
        self.floors = {nid: row.alloc_floor for nid, row in networks_by_id.items()}
        self._subnets = {}
        # {network id: {key: field}}: addresses the request asks for by name.
        self._asked = {}

    def subnet(self, network_id):
        if network_id not in self._subnets:
            self._subnets[network_id] = Subnet(self.networks[network_id])
        return self._subnets[network_id]

    def lock(self, network_ids):
        # Re-read the floors now locked: another writer may have moved them.
        self.floors.update(addresses.lock_networks(self.conn, network_ids))

    def reserve(self, field, network_id, ip):
        """Note an address the request asks for, before anything is numbered:
        next_key passes it by, and no other field of the request may ask for it."""
        key = to_key(self.subnet(network_id).assignable_offset(field, ip))
        other = self._asked.setdefault(network_id, {}).setdefault(key, field)
        if other != field:
            raise invalid(field, f"{ip} is asked for by {other} too")
        return key

    def next_key(self, field, network_id):
        """Claim the first free address; the caller inserts the row next."""
        asked = self._asked.get(network_id, {})
        while True:
            offset = first_free(self.conn, network_id, self.subnet(network_id), self.floors[network_id])
            if offset is None:
                raise invalid(field, f"network '{self.networks[network_id].name}' has no free address left")
            self.floors[network_id] = to_key(offset + 1)
            addresses.raise_floor(self.conn, network_id, self.floors[network_id])
            if to_key(offset) not in asked:
                return to_key(offset)

    def chosen_key(self, field, network_id, ip, own=None):
        """The key of an address the client chose: in the network, assignable, and
        free or already held by ``own``, a (kind, id) as db.addresses.holder names them."""
        offset = self.subnet(network_id).assignable_offset(field, ip)
        key = to_key(offset)
        holder = addresses.holder(self.conn, network_id, key)
        if holder is not None and (holder.kind, holder.id) != own:
            raise invalid(field, f"{ip} is already taken by {holder.name}")
        return key
