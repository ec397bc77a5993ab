"""The DHCP context, its templates checked by the real tools, and install().

In-process on SQLite and PostgreSQL (see test_query_count); kea-dhcp4 and
dhcpd must be installed in CI, elsewhere their tests skip without them.
"""

import json
import os

import pytest

import test_query_count
from cairn.db.engine import transaction
from cairn.render.dhcp import context, render_dhcp
from cairn.render.files import InvalidConfig, install, run_check
from cairn.service import groups, networks, nodes
from conftest import require_tool
from test_query_count import counting


ctx = test_query_count.ctx  # a fresh database on each backend, as a superadmin


@pytest.fixture
def dhcp_network(ctx):
    networks.save(ctx, "cluster", {
        "network": "10.141.0.0/16", "gateway": "10.141.255.254", "ns_ip": "10.141.255.254",
        "dhcp": True, "dhcp_range_begin": "10.141.200.1", "dhcp_range_end": "10.141.200.200"})
    networks.save(ctx, "ipmi", {"network": "10.148.0.0/16"})
    groups.save(ctx, "compute", {"interfaces": [
        {"interface": "BOOTIF", "network": "cluster"}, {"interface": "BMC", "network": "ipmi"}]})


def add_nodes(ctx, first, last):
    for i in range(first, last):
        nodes.save(ctx, f"node{i:03d}", {"group": "compute", "macaddr": f"52:54:00:00:00:{i:02x}"})


def dhcp_context(ctx):
    with transaction(ctx.engine, write=False) as conn:
        return context(conn, "10.141.255.254", 7050)


@pytest.mark.usefixtures("dhcp_network")
def test_context_reads_a_constant_number_of_statements(ctx):
    add_nodes(ctx, 0, 5)
    with counting(ctx.engine) as few:
        small = dhcp_context(ctx)
    add_nodes(ctx, 5, 50)
    with counting(ctx.engine) as many:
        large = dhcp_context(ctx)
    assert len(few) == len(many)
    assert [len(s["reservations"]) for s in small["subnets"]] == [5]
    assert [len(s["reservations"]) for s in large["subnets"]] == [50]


@pytest.mark.usefixtures("dhcp_network")
def test_context_reserves_the_provisioning_interface_only(ctx):
    add_nodes(ctx, 1, 3)
    nodes.save(ctx, "node003", {"group": "compute", "provision_interface": "BMC",
                                "macaddr": "52:54:00:00:00:03"})
    nodes.save(ctx, "nomac", {"group": "compute"})
    (subnet,) = dhcp_context(ctx)["subnets"]  # ipmi has no DHCP
    assert subnet["pool"] == ["10.141.200.1", "10.141.200.200"]
    assert [(h["name"], h["mac"]) for h in subnet["reservations"]] == [
        ("node001", "52:54:00:00:00:01"), ("node002", "52:54:00:00:00:02")]


@pytest.mark.usefixtures("dhcp_network")
def test_both_configs_pass_the_real_tools(ctx, tmp_path):
    require_tool("kea-dhcp4")
    require_tool("dhcpd")
    add_nodes(ctx, 1, 4)
    with transaction(ctx.engine, write=False) as conn:
        kea, dhcpd = render_dhcp(conn, str(tmp_path), "10.141.255.254", 7050)
    config = json.load(open(kea))["Dhcp4"]
    hosts = config["subnet4"][0]["reservations"]
    assert {(h["hw-address"], h["ip-address"], h["hostname"]) for h in hosts} == {
        ("52:54:00:00:00:01", "10.141.0.1", "node001"), ("52:54:00:00:00:02", "10.141.0.2", "node002"),
        ("52:54:00:00:00:03", "10.141.0.3", "node003")}
    text = open(dhcpd).read()
    assert "host node002 {\n  hardware ethernet 52:54:00:00:00:02;\n  fixed-address 10.141.0.2;" in text
    assert 'filename "http://10.141.255.254:7050/boot/search/mac/${net0/mac}";' in text


def test_install_keeps_the_old_file_when_the_check_fails(tmp_path):
    path = str(tmp_path / "dhcpd.conf")
    install(path, "old\n")

    def refuse(temp):
        assert open(temp).read() == "broken\n"
        run_check(["false"])

    with pytest.raises(InvalidConfig):
        install(path, "broken\n", check=refuse)
    assert open(path).read() == "old\n"
    assert os.listdir(tmp_path) == ["dhcpd.conf"]  # no temporary file left
    install(path, "new\n", check=lambda temp: run_check(["true"]))
    assert open(path).read() == "new\n"
    assert oct(os.stat(path).st_mode & 0o777) == "0o644"


def test_an_invalid_config_names_the_tool_and_its_output(tmp_path):
    dhcpd = require_tool("dhcpd")
    broken = tmp_path / "broken.conf"
    broken.write_text("subnet {\n")
    with pytest.raises(InvalidConfig) as refused:
        run_check([dhcpd, "-t", "-cf", str(broken)])
    assert refused.value.tool == dhcpd and "line" in refused.value.output
