"""service.fields: every field type, as tables of inputs, normal forms and rejections.

Every rejection must be a BadRequest (a 400) whose .field names the field.
"""

import pytest

from cairn.service import fields as F
from cairn.service.errors import BadRequest


def rejects(parse, value, field="f"):
    with pytest.raises(BadRequest) as caught:
        parse(field, value)
    assert caught.value.field == field, caught.value.message
    assert caught.value.status == 400
    assert caught.value.message.startswith(f"{field}: ")
    return caught.value


# -- names --------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "a", "node001", "Node-001", "a" * 63, "1", "0node", "compute-rack-12", "A1-b2-C3",
])
def test_label_accepts(value):
    assert F.parse_label("name", value) == value


@pytest.mark.parametrize("value", [
    "", "-node", "node-", "a" * 64, "node_001", "node.001", "node 001", " node", "node ",
    "node001\n", "\nnode001", "nöde", "node/1", "node:1", "*", "node\t",
    None, 1, True, ["node"], {"name": "node"},
])
def test_label_rejects(value):
    rejects(F.parse_label, value, "name")


@pytest.mark.parametrize("value, expected", [
    ("cluster", "cluster"),
    ("controller.cluster", "controller.cluster"),
    ("controller.cluster.", "controller.cluster"),
    ("a-b.c-d.example.org", "a-b.c-d.example.org"),
    (".".join(["a" * 63] * 3), ".".join(["a" * 63] * 3)),
])
def test_hostname_accepts(value, expected):
    assert F.parse_hostname("ns_hostname", value) == expected


@pytest.mark.parametrize("value", [
    "", ".", "a..b", ".a", "-a.b", "a-.b", "a_b.c", "a b", "a.b\n", "a" * 64 + ".b",
    "x" * 254, None, 5, ["a"],
])
def test_hostname_rejects(value):
    rejects(F.parse_hostname, value, "ns_hostname")


@pytest.mark.parametrize("value", [
    "eth0", "BOOTIF", "ib0", "eno1.100", "bond0:1", "en_p1s0", "a", "x" * 15, "enp0s31f6-",
])
def test_ifname_accepts(value):
    assert F.parse_ifname("interface", value) == value


@pytest.mark.parametrize("value", [
    "", "x" * 16, "-eth0", "_eth0", ".eth0", "eth 0", "eth0\n", "eth/0", "eth0!", None, 0,
])
def test_ifname_rejects(value):
    rejects(F.parse_ifname, value, "interface")


# -- MAC addresses ------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "aa:bb:cc:dd:ee:ff",
    "AA:BB:CC:DD:EE:FF",
    "Aa:bB:Cc:dD:eE:Ff",
    "aa-bb-cc-dd-ee-ff",
    "AA-BB-CC-DD-EE-FF",
    "aabb.ccdd.eeff",
    "AABB.CCDD.EEFF",
    "aabbccddeeff",
    "AABBCCDDEEFF",
])
def test_mac_spellings_normalise(value):
    assert F.parse_mac("macaddr", value) == "aa:bb:cc:dd:ee:ff"


@pytest.mark.parametrize("value, expected", [
    ("00:00:00:00:00:00", "00:00:00:00:00:00"),
    ("0123.4567.89AB", "01:23:45:67:89:ab"),
    ("52-54-00-12-34-56", "52:54:00:12:34:56"),
])
def test_mac_values(value, expected):
    assert F.parse_mac("macaddr", value) == expected


@pytest.mark.parametrize("value", [
    "",
    "aa:bb:cc:dd:ee",            # five octets
    "aa:bb:cc:dd:ee:ff:00",      # seven
    "aa:bb:cc:dd:ee:fg",         # not hex
    "aa bb cc dd ee ff",         # spaces
    "aa:bb:cc:dd:ee:ff ",
    " aa:bb:cc:dd:ee:ff",
    "aabbccddeeff\n",
    "aa_bb_cc_dd_ee_ff",
    "aa:bb:cc:dd:ee:f",
    "aabbccddeef",
    "aabbccddeeff0",
    "0x:aa:bb:cc:dd:ee",
    "ａａ:bb:cc:dd:ee:ff",       # full-width letters
    None, 0xaabbccddeeff, ["aa:bb:cc:dd:ee:ff"],
])
def test_mac_rejects(value):
    rejects(F.parse_mac, value, "macaddr")


# -- addresses and networks ---------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("10.141.0.1", "10.141.0.1"),
    ("0.0.0.0", "0.0.0.0"),
    ("255.255.255.255", "255.255.255.255"),
    ("2001:db8::1", "2001:db8::1"),
    ("2001:DB8::1", "2001:db8::1"),
    ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
])
def test_ip_accepts_and_normalises(value, expected):
    assert F.parse_ip("ipaddress", value) == expected


@pytest.mark.parametrize("value", [
    "", "10.141.0", "10.141.0.256", "10.141.0.1/32", "10.141.0.1 ", " 10.141.0.1", "10.141.0.1\n",
    "010.141.0.1", "host", "2001:db8::1::2", "2001:db8::g", "fe80::1%eth0",
    "1" * 46, None, 167772161, ["10.141.0.1"],
])
def test_ip_rejects(value):
    rejects(F.parse_ip, value, "ipaddress")


@pytest.mark.parametrize("value, expected", [
    ("10.141.0.0/16", "10.141.0.0/16"),
    ("10.141.0.0/255.255.0.0", "10.141.0.0/16"),
    ("192.168.1.0/30", "192.168.1.0/30"),
    ("2001:db8::/64", "2001:db8::/64"),
    ("2001:DB8:0:0::/64", "2001:db8::/64"),
    ("2001:db8::/120", "2001:db8::/120"),
    ("2001:db8::fc/126", "2001:db8::fc/126"),
])
def test_cidr_accepts_and_normalises(value, expected):
    assert F.parse_cidr("network", value) == expected


@pytest.mark.parametrize("value, why", [
    ("10.141.0.1/16", "host bits set"),
    ("2001:db8::1/64", "host bits set"),
    ("10.141.0.0", "missing prefix"),
    ("10.141.0.1", "missing prefix"),
    ("2001:db8::", "missing prefix"),
    ("2001:db8::/48", "IPv6 shorter than /64"),
    ("2001:db8::/63", "IPv6 shorter than /64"),
    ("::/0", "IPv6 shorter than /64"),
    ("10.141.0.0/31", "too small"),
    ("10.141.0.1/32", "too small"),
    ("2001:db8::/127", "too small"),
    ("10.141.0.0/33", "bad prefix"),
    ("10.141.0.0/", "bad prefix"),
    ("10.141.0.0/-1", "bad prefix"),
    ("10.141.0.0/16\n", "trailing newline"),
    ("10.141.0.0 /16", "space"),
    ("fe80::%eth0/64", "IPv6 scope"),
    ("2001:db8::%1/64", "IPv6 scope"),
    ("10.141/16", "short address"),
    ("cluster", "not an address"),
    ("", "empty"),
    (None, "not a string"),
    (16, "not a string"),
])
def test_cidr_rejects(value, why):
    rejects(F.parse_cidr, value, "network")


# -- booleans, ports, strings -------------------------------------------------

@pytest.mark.parametrize("value", [True, False])
def test_bool_accepts(value):
    assert F.parse_bool("dhcp", value) is value


@pytest.mark.parametrize("value", [0, 1, "true", "false", "yes", "", None, [], {}, 1.0])
def test_bool_rejects(value):
    rejects(F.parse_bool, value, "dhcp")


@pytest.mark.parametrize("value", [0, 1, 22, 65535])
def test_port_accepts(value):
    assert F.parse_port("switchport", value) == value


@pytest.mark.parametrize("value", [-1, 65536, 10 ** 20, True, False, 1.0, 22.5, "22", None, []])
def test_port_rejects(value):
    rejects(F.parse_port, value, "switchport")


@pytest.mark.parametrize("field, value, ok", [
    (F.SHORT, "x" * 255, True),
    (F.SHORT, "x" * 256, False),
    (F.SHORT, 5, False),
    (F.TEXT, "x" * (1 << 20), True),
    (F.TEXT, "x" * ((1 << 20) + 1), False),
    (F.PROVISION_METHOD, "torrent", True),
    (F.PROVISION_METHOD, "http", True),
    (F.PROVISION_METHOD, "ftp", False),
    (F.PROVISION_METHOD, "HTTP", False),
])
def test_strings_and_choices(field, value, ok):
    if ok:
        assert field("comment", value) == value
    else:
        rejects(field, value, "comment")


@pytest.mark.parametrize("field", [F.NAME, F.MAC, F.IP, F.CIDR, F.BOOL, F.PORT, F.SHORT, F.TEXT])
def test_nullable_fields_take_null(field):
    assert field("f", None) is None
    assert field.openapi()["nullable"] is True


def test_not_nullable_field_rejects_null():
    field = F.Field(F.parse_label, F.NAME.schema, nullable=False)
    rejects(field, None, "group")
    assert "nullable" not in field.openapi()


# -- objects and lists --------------------------------------------------------

NETWORK = {"network": F.CIDR, "dhcp": F.BOOL, "dhcp_range_begin": F.IP, "name": F.NAME}
ALIASES = {"dhcp_enable": "dhcp", "dhcp_begin": "dhcp_range_begin"}


@pytest.mark.parametrize("value, expected", [
    ({}, {}),
    ({"network": "10.141.0.0/16"}, {"network": "10.141.0.0/16"}),
    ({"network": None}, {"network": None}),
    ({"dhcp_enable": True, "dhcp_begin": "10.141.0.1"}, {"dhcp": True, "dhcp_range_begin": "10.141.0.1"}),
    ({"dhcp": False, "dhcp_begin": "10.141.0.1"}, {"dhcp": False, "dhcp_range_begin": "10.141.0.1"}),
])
def test_object_parses(value, expected):
    assert F.parse_object("", value, NETWORK, aliases=ALIASES) == expected


@pytest.mark.parametrize("outer, value, required, field", [
    # unknown keys, named as given
    ("", {"bogus": 1}, (), "bogus"),
    ("", {"network": "10.141.0.0/16", "Network": "x"}, (), "Network"),
    ("network", {"bogus": 1}, (), "network.bogus"),
    # a field given twice, once by its alias
    ("", {"dhcp": True, "dhcp_enable": False}, (), "dhcp_enable"),
    ("", {"dhcp_enable": True, "dhcp": False}, (), "dhcp"),
    ("", {"dhcp_begin": "10.0.0.1", "dhcp_range_begin": "10.0.0.2"}, (), "dhcp_range_begin"),
    ("cfg", {"dhcp": True, "dhcp_enable": True}, (), "cfg.dhcp_enable"),
    # required fields, missing or null
    ("", {}, ("network",), "network"),
    ("", {"network": None}, ("network",), "network"),
    ("", {"network": "10.141.0.0/16"}, ("network", "name"), "name"),
    ("net", {"dhcp": True}, ("network",), "net.network"),
    # a bad value, named with its path
    ("", {"network": "10.141.0.1/16"}, (), "network"),
    ("net", {"dhcp": "yes"}, (), "net.dhcp"),
    # not an object at all
    ("net", [], (), "net"),
    ("net", "x", (), "net"),
    ("net", None, (), "net"),
])
def test_object_rejects(outer, value, required, field):
    with pytest.raises(BadRequest) as caught:
        F.parse_object(outer, value, NETWORK, required=required, aliases=ALIASES)
    assert caught.value.field == field, caught.value.message


INTERFACES = F.list_of({"interface": F.IFNAME, "network": F.NAME, "ipaddress": F.IP},
                       required=("interface",))


@pytest.mark.parametrize("value, expected", [
    ([], []),
    ([{"interface": "BOOTIF"}], [{"interface": "BOOTIF"}]),
    ([{"interface": "eth0", "network": "cluster", "ipaddress": "2001:DB8::5"},
      {"interface": "ib0", "ipaddress": None}],
     [{"interface": "eth0", "network": "cluster", "ipaddress": "2001:db8::5"},
      {"interface": "ib0", "ipaddress": None}]),
])
def test_list_of_parses(value, expected):
    assert INTERFACES("interfaces", value) == expected


@pytest.mark.parametrize("value, field", [
    ({"interface": "eth0"}, "interfaces"),
    ("eth0", "interfaces"),
    (["eth0"], "interfaces.0"),
    ([{"interface": "eth0"}, None], "interfaces.1"),
    ([{"network": "cluster"}], "interfaces.0.interface"),
    ([{"interface": None}], "interfaces.0.interface"),
    ([{"interface": "eth0"}, {"interface": "eth 1"}], "interfaces.1.interface"),
    ([{"interface": "eth0", "ipaddress": "10.0.0.300"}], "interfaces.0.ipaddress"),
    ([{"interface": "eth0", "network": "-bad"}], "interfaces.0.network"),
    ([{"interface": "eth0", "mac": "aa:bb:cc:dd:ee:ff"}], "interfaces.0.mac"),
])
def test_list_of_rejects(value, field):
    with pytest.raises(BadRequest) as caught:
        INTERFACES("interfaces", value)
    assert caught.value.field == field, caught.value.message


def test_list_of_schema():
    schema = INTERFACES.openapi()
    assert schema["type"] == "array"
    assert schema["items"]["required"] == ["interface"]
    assert schema["items"]["additionalProperties"] is False
    assert set(schema["items"]["properties"]) == {"interface", "network", "ipaddress"}
