"""DHCP configs rendered from a cluster built through the HTTP API, on both
backends, and checked by kea-dhcp4 -t and dhcpd -t (tools required in CI)."""

import json

from cairn.db.engine import make_engine, transaction
from cairn.render.dhcp import render_dhcp
from conftest import addresses, cluster_network, make_group, make_node, require_tool

HOSTILE = 'x"; } host evil { hardware ethernet 00:00:00:00:00:66; } #\n\'{}\\ ünïcødé ✓'


def render(server, out_dir):
    require_tool("kea-dhcp4")
    require_tool("dhcpd")
    engine = make_engine(server.db, pool_size=1)
    try:
        with transaction(engine, write=False) as conn:
            kea, dhcpd = render_dhcp(conn, str(out_dir), "10.141.255.254", server.port)
    finally:
        engine.dispose()
    return json.load(open(kea))["Dhcp4"], open(dhcpd).read()


def build(server, name, second_octet, **network_extra):
    """Network ``name`` (10.<second_octet>.0.0/16, DHCP on), an IPv6 network with DHCP on,
    group ``name`` and nodes <name>001..003 with MACs 52:54:00:<second_octet>:01:0i.
    The server lives for the module: each test builds under its own name."""
    cluster_network(server, name, f"10.{second_octet}.0.0/16", dhcp=True,
                    dhcp_range_begin=f"10.{second_octet}.200.1",
                    dhcp_range_end=f"10.{second_octet}.200.250", **network_extra)
    cluster_network(server, f"{name}v6", f"fd00:{second_octet}::/64", dhcp=True,
                    dhcp_range_begin=f"fd00:{second_octet}::1000",
                    dhcp_range_end=f"fd00:{second_octet}::1fff")
    make_group(server, name, [("BOOTIF", name)])
    for i in range(1, 4):
        make_node(server, f"{name}{i:03d}", name, macaddr=f"52:54:00:{second_octet:02x}:01:{i:02x}")


def subnet_named(kea, name):
    (subnet,) = [s for s in kea["subnet4"] if s["option-data"][0] == {"name": "domain-name", "data": name}]
    return subnet


def test_a_cluster_renders_valid_configs_with_a_reservation_per_node(server, tmp_path):
    build(server, "cluster", 141)
    kea, dhcpd = render(server, tmp_path)
    assert not any(":" in s["subnet"] for s in kea["subnet4"])  # IPv6 is DHCPv6's
    subnet = subnet_named(kea, "cluster")
    assert subnet["pools"] == [{"pool": "10.141.200.1 - 10.141.200.250"}]
    assert "range 10.141.200.1 10.141.200.250;" in dhcpd  # unknown MACs lease from the pool
    for i in range(1, 4):
        name, mac = f"cluster{i:03d}", f"52:54:00:8d:01:{i:02x}"
        ip = addresses(server, name)["BOOTIF"][1]
        assert {"hw-address": mac, "ip-address": ip, "hostname": name} in subnet["reservations"]
        assert f"host {name} {{\n  hardware ethernet {mac};\n  fixed-address {ip};" in dhcpd
    url = f"http://10.141.255.254:{server.port}/boot/search/mac/${{net0/mac}}"
    assert {"name": "ipxe", "test": "option[77].hex == 'iPXE'", "boot-file-name": url} in kea["client-classes"]
    assert f'filename "{url}";' in dhcpd


def test_hostile_free_text_never_reaches_a_config(server, tmp_path):
    build(server, "hostile", 142, comment=HOSTILE, ntp_server=HOSTILE)
    for kind, name in (("group", "hostile"), ("node", "hostile001")):
        answer = server.save(kind, name, {"comment": HOSTILE})
        assert answer.status_code == 204, answer.text
    answer = server.post("/config/cluster", {"config": {"cluster": {"ntp_server": HOSTILE}}})
    assert answer.status_code in (200, 204), answer.text
    kea, dhcpd = render(server, tmp_path)  # both passed their tool
    assert "evil" not in json.dumps(kea) and "evil" not in dhcpd
    subnet = subnet_named(kea, "hostile")
    assert "ntp-servers" not in [o["name"] for o in subnet["option-data"]]  # free text is no address
    assert len(subnet["reservations"]) == 3
