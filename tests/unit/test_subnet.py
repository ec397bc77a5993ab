"""service.subnet: address arithmetic of one network, over a row-like object."""

import types

import pytest

from cairn.service.errors import BadRequest
from cairn.service.subnet import Subnet, from_key, to_key

BIGINT_MIN, BIGINT_MAX = -2 ** 63, 2 ** 63 - 1


def row(network, gateway=None, ns_ip=None, dhcp=False, begin=None, end=None):
    return types.SimpleNamespace(network=network, gateway=gateway, ns_ip=ns_ip, dhcp=dhcp,
                                 dhcp_range_begin=begin, dhcp_range_end=end)


@pytest.mark.parametrize("network, first, last, first_ip, last_ip", [
    ("10.141.0.0/16", 1, 65534, "10.141.0.1", "10.141.255.254"),
    ("10.141.0.0/24", 1, 254, "10.141.0.1", "10.141.0.254"),
    ("192.168.1.0/30", 1, 2, "192.168.1.1", "192.168.1.2"),
    ("10.0.0.0/8", 1, 2 ** 24 - 2, "10.0.0.1", "10.255.255.254"),
    # IPv6 has no broadcast: only the subnet-router anycast address (offset 0) is lost.
    ("2001:db8::/64", 1, 2 ** 64 - 1, "2001:db8::1", "2001:db8::ffff:ffff:ffff:ffff"),
    ("2001:db8::/120", 1, 255, "2001:db8::1", "2001:db8::ff"),
    ("2001:db8::fc/126", 1, 3, "2001:db8::fd", "2001:db8::ff"),
])
def test_first_and_last(network, first, last, first_ip, last_ip):
    subnet = Subnet(row(network))
    assert (subnet.first, subnet.last) == (first, last)
    assert subnet.address(subnet.first) == first_ip
    assert subnet.address(subnet.last) == last_ip
    assert subnet.offset(first_ip) == first
    assert subnet.offset(last_ip) == last
    assert subnet.next_unreserved(0) == first


@pytest.mark.parametrize("network, ip, offset", [
    ("10.141.0.0/16", "10.141.0.0", 0),
    ("10.141.0.0/16", "10.141.1.0", 256),
    ("10.141.0.0/16", "10.141.255.255", 65535),
    ("10.141.0.0/16", "10.142.0.0", None),
    ("10.141.0.0/16", "10.140.255.255", None),
    ("10.141.0.0/16", "2001:db8::1", None),
    ("10.141.0.0/16", "::ffff:10.141.0.1", None),
    ("2001:db8::/64", "2001:db8::", 0),
    ("2001:db8::/64", "2001:db8::1:0", 65536),
    ("2001:db8::/64", "2001:db8::ffff:ffff:ffff:ffff", 2 ** 64 - 1),
    ("2001:db8::/64", "2001:db8:0:1::", None),
    ("2001:db8::/64", "10.141.0.1", None),
])
def test_offset(network, ip, offset):
    assert Subnet(row(network)).offset(ip) == offset


@pytest.mark.parametrize("network, offset, ip", [
    ("10.141.0.0/16", 0, "10.141.0.0"),
    ("10.141.0.0/16", 257, "10.141.1.1"),
    ("2001:db8::/64", 2 ** 32, "2001:db8::1:0:0"),
    ("2001:db8::/64", 2 ** 64 - 2, "2001:db8::ffff:ffff:ffff:fffe"),
])
def test_address(network, offset, ip):
    subnet = Subnet(row(network))
    assert subnet.address(offset) == ip
    assert subnet.offset(ip) == offset


# 10.141.0.0/16 with the gateway and name server at its top, as in the spec's examples.
CLUSTER = dict(network="10.141.0.0/16", gateway="10.141.255.254", ns_ip="10.141.255.253")


@pytest.mark.parametrize("kwargs, offset, expected", [
    # the network address is never handed out
    ({"network": "10.141.0.0/24"}, 0, 1),
    ({"network": "10.141.0.0/24"}, -5, 1),
    ({"network": "10.141.0.0/24"}, 17, 17),
    ({"network": "10.141.0.0/24"}, 254, 254),
    # past the end: broadcast and beyond
    ({"network": "10.141.0.0/24"}, 255, None),
    ({"network": "10.141.0.0/24"}, 1000, None),
    # gateway and name server are skipped
    ({"network": "10.141.0.0/24", "gateway": "10.141.0.1"}, 0, 2),
    ({"network": "10.141.0.0/24", "gateway": "10.141.0.1", "ns_ip": "10.141.0.2"}, 0, 3),
    ({"network": "10.141.0.0/24", "gateway": "10.141.0.1", "ns_ip": "10.141.0.1"}, 1, 2),
    ({"network": "10.141.0.0/24", "ns_ip": "10.141.0.254"}, 254, None),
    ({**CLUSTER}, 65532, 65532),
    ({**CLUSTER}, 65533, None),
    # the DHCP range is jumped over when DHCP is on
    ({"network": "10.141.0.0/24", "dhcp": True, "begin": "10.141.0.10", "end": "10.141.0.20"}, 10, 21),
    ({"network": "10.141.0.0/24", "dhcp": True, "begin": "10.141.0.10", "end": "10.141.0.20"}, 15, 21),
    ({"network": "10.141.0.0/24", "dhcp": True, "begin": "10.141.0.10", "end": "10.141.0.20"}, 9, 9),
    ({"network": "10.141.0.0/24", "dhcp": True, "begin": "10.141.0.10", "end": "10.141.0.20"}, 21, 21),
    ({"network": "10.141.0.0/24", "dhcp": True, "begin": "10.141.0.1", "end": "10.141.0.20"}, 0, 21),
    # the range and a reserved address right after it
    ({"network": "10.141.0.0/24", "dhcp": True, "begin": "10.141.0.10", "end": "10.141.0.20",
      "gateway": "10.141.0.21", "ns_ip": "10.141.0.22"}, 10, 23),
    # a range up to the last address leaves nothing after it
    ({"network": "10.141.0.0/24", "dhcp": True, "begin": "10.141.0.200", "end": "10.141.0.254"}, 200, None),
    # when DHCP is off, or the range is incomplete, the range reserves nothing
    ({"network": "10.141.0.0/24", "dhcp": False, "begin": "10.141.0.10", "end": "10.141.0.20"}, 10, 10),
    ({"network": "10.141.0.0/24", "dhcp": True, "begin": "10.141.0.10"}, 10, 10),
    # IPv6
    ({"network": "2001:db8::/64", "gateway": "2001:db8::1"}, 0, 2),
    ({"network": "2001:db8::/64"}, 2 ** 64 - 1, 2 ** 64 - 1),
    ({"network": "2001:db8::/64"}, 2 ** 64, None),
    ({"network": "2001:db8::/64", "gateway": "2001:db8::ffff:ffff:ffff:ffff"}, 2 ** 64 - 1, None),
    ({"network": "2001:db8::/64", "dhcp": True, "begin": "2001:db8::100", "end": "2001:db8::1ff"},
     0x100, 0x200),
])
def test_next_unreserved(kwargs, offset, expected):
    assert Subnet(row(**kwargs)).next_unreserved(offset) == expected


@pytest.mark.parametrize("kwargs, reserved, free", [
    ({"network": "10.141.0.0/24"}, [0, 255, -1, 256], [1, 128, 254]),
    ({"network": "10.141.0.0/24", "gateway": "10.141.0.1", "ns_ip": "10.141.0.254"},
     [0, 1, 254, 255], [2, 253]),
    ({"network": "10.141.0.0/24", "dhcp": True, "begin": "10.141.0.10", "end": "10.141.0.20"},
     [10, 15, 20], [9, 21]),
    ({"network": "10.141.0.0/24", "dhcp": False, "begin": "10.141.0.10", "end": "10.141.0.20"},
     [], [10, 15, 20]),
    ({"network": "2001:db8::/64"}, [0, 2 ** 64], [1, 2 ** 64 - 1]),
])
def test_is_reserved(kwargs, reserved, free):
    subnet = Subnet(row(**kwargs))
    assert [o for o in reserved if not subnet.is_reserved(o)] == []
    assert [o for o in free if subnet.is_reserved(o)] == []


def test_reserved_addresses_outside_the_network_reserve_nothing():
    subnet = Subnet(row("10.141.0.0/24", gateway="10.142.0.1", ns_ip="2001:db8::1"))
    assert not any(subnet.is_reserved(o) for o in range(1, 255))
    assert subnet.next_unreserved(0) == 1


@pytest.mark.parametrize("ip, offset", [
    ("10.141.0.2", 2),
    ("10.141.0.253", 253),
    ("10.141.0.21", 21),
])
def test_assignable_offset(ip, offset):
    subnet = Subnet(row("10.141.0.0/24", gateway="10.141.0.1", ns_ip="10.141.0.254",
                        dhcp=True, begin="10.141.0.10", end="10.141.0.20"))
    assert subnet.assignable_offset("interfaces.0.ipaddress", ip) == offset


@pytest.mark.parametrize("ip", [
    "10.141.0.0",    # network
    "10.141.0.255",  # broadcast
    "10.141.0.1",    # gateway
    "10.141.0.254",  # name server
    "10.141.0.10",   # DHCP range
    "10.141.0.20",
    "10.141.1.1",    # outside
    "2001:db8::1",   # another family
])
def test_assignable_offset_refuses(ip):
    subnet = Subnet(row("10.141.0.0/24", gateway="10.141.0.1", ns_ip="10.141.0.254",
                        dhcp=True, begin="10.141.0.10", end="10.141.0.20"))
    with pytest.raises(BadRequest) as caught:
        subnet.assignable_offset("interfaces.0.ipaddress", ip)
    assert caught.value.field == "interfaces.0.ipaddress"


@pytest.mark.parametrize("offset", [0, 1, 2 ** 32, 2 ** 63 - 1, 2 ** 63, 2 ** 64 - 2, 2 ** 64 - 1])
def test_key_round_trip(offset):
    key = to_key(offset)
    assert BIGINT_MIN <= key <= BIGINT_MAX
    assert from_key(key) == offset


def test_keys_at_the_ends_of_bigint():
    assert to_key(0) == BIGINT_MIN
    assert to_key(2 ** 64 - 1) == BIGINT_MAX
    # the order of keys is the order of offsets, so an index on keys orders addresses
    offsets = [0, 1, 2 ** 63 - 1, 2 ** 63, 2 ** 64 - 1]
    assert sorted(offsets, key=to_key) == offsets
