"""Address arithmetic of one network: offsets, reserved addresses, the DHCP range.

Addresses are handled as offsets from the network address; db.addresses
stores them as keys (offset - 2**63) so a whole IPv6 /64 fits a BIGINT.
"""

import ipaddress
import socket

from .errors import invalid

_SHIFT = 1 << 63


def to_key(offset):
    return offset - _SHIFT


def from_key(key):
    return key + _SHIFT


class Subnet:
    """A network with the addresses that allocation must never hand out."""

    def __init__(self, row):
        self.net = ipaddress.ip_network(row.network)
        self._base = int(self.net.network_address)
        self._make = ipaddress.IPv4Address if self.net.version == 4 else ipaddress.IPv6Address
        # IPv4 loses the network and broadcast addresses; IPv6 the
        # subnet-router anycast address (offset 0) only.
        self.first = 1
        self.last = self.net.num_addresses - (2 if self.net.version == 4 else 1)
        self.reserved = {self.offset(ip) for ip in (row.gateway, row.ns_ip) if ip}
        self.dhcp_range = None
        if row.dhcp and row.dhcp_range_begin and row.dhcp_range_end:
            self.dhcp_range = (self.offset(row.dhcp_range_begin), self.offset(row.dhcp_range_end))

    def offset(self, ip):
        """The offset of ``ip`` in this network, or None when it lies outside."""
        addr = ipaddress.ip_address(ip)
        if addr.version != self.net.version or addr not in self.net:
            return None
        return int(addr) - self._base

    def address(self, offset):
        if self.net.version == 4:
            # inet_ntoa is several times faster than IPv4Address, and listing
            # 10,000 nodes formats tens of thousands of addresses.
            return socket.inet_ntoa((self._base + offset).to_bytes(4, "big"))
        return str(self._make(self._base + offset))

    def is_reserved(self, offset):
        """Network, broadcast, gateway, name server, or inside the DHCP range."""
        if not self.first <= offset <= self.last or offset in self.reserved:
            return True
        return self.dhcp_range is not None and self.dhcp_range[0] <= offset <= self.dhcp_range[1]

    def next_unreserved(self, offset):
        """The first offset at or after ``offset`` that may be assigned, or None."""
        offset = max(offset, self.first)
        while offset <= self.last:
            if self.dhcp_range and self.dhcp_range[0] <= offset <= self.dhcp_range[1]:
                offset = self.dhcp_range[1] + 1
            elif offset in self.reserved:
                offset += 1
            else:
                return offset
        return None

    def assignable_offset(self, field, ip):
        """The offset of an address a client asked for, or a 400 naming ``field``."""
        offset = self.offset(ip)
        if offset is None:
            raise invalid(field, f"{ip} is not in network {self.net}")
        if self.is_reserved(offset):
            raise invalid(field, f"{ip} is reserved in {self.net} (network, broadcast, "
                                 "gateway, name server or DHCP range)")
        return offset
