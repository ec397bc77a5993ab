"""End to end: Kea and ISC dhcpd serve the DHCP config Cairn renders, to a real
DHCP client (busybox udhcpc) over a veth pair between two network namespaces.

The cluster is built through the HTTP API of a real server; the config is
rendered from its database by cairn.render.dhcp.render_dhcp inside the server
namespace (Kea's interfaces-config names the veth there) and each daemon runs
it in the foreground. Rendering reads the database through SQLAlchemy Core
alike on both engines, and the tests on both backends cover it, so SQLite is
enough here. Run alone: ``.venv/bin/python -m pytest tests/e2e -q`` (as root).
"""

from ipaddress import ip_address, ip_network

import pytest

import netlab
from conftest import Server, require_tool
from e2e_cluster import NODE_MAC, SECOND_MAC, UNKNOWN_MAC, USER_CLASS_IPXE, build, serve_dhcp
from e2e_render import render_dhcp_argv

CIDR = "10.141.0.0/16"  # only ever inside the test's own namespaces


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    server = Server("sqlite", str(tmp_path_factory.mktemp("dhcp-server")))
    try:
        devices, controller = build(server, CIDR)
        yield server, devices, controller
    finally:
        server.stop()


@pytest.fixture
def lab():
    netlab.require_lab()
    with netlab.Lab() as lab:
        yield lab


class Client:
    """busybox udhcpc in its own namespace, at the other end of a veth pair."""

    def __init__(self, lab, netns, link, tmp_path):
        self.lab, self.netns, self.link = lab, netns, link
        self.busybox = require_tool("busybox")
        self.lease = tmp_path / "lease.env"
        self.hook = tmp_path / "udhcpc.sh"
        self.hook.write_text(f'#!/bin/sh\n[ "$1" = bound ] && env > "{self.lease}"\nexit 0\n')
        self.hook.chmod(0o755)

    def lease_for(self, mac, *options):
        """What the DHCP server gave ``mac``, sending ``options`` (udhcpc -x OPT:HEX):
        the variables udhcpc hands its script (ip, siaddr, boot_file, hostname, ...)."""
        self.lab.configure(self.link, self.netns, mac=mac)
        if self.lease.exists():
            self.lease.unlink()
        extra = [arg for option in options for arg in ("-x", option)]
        result = netlab.run(self.busybox, "udhcpc", "-i", self.link, "-f", "-q", "-n", "-t", "10",
                            "-T", "1", "-s", str(self.hook), *extra, netns=self.netns, check=False)
        assert self.lease.exists(), f"no lease for {mac}:\n{result.stdout}{result.stderr}"
        return dict(line.split("=", 1) for line in self.lease.read_text().splitlines() if "=" in line)


@pytest.mark.parametrize("daemon", ["kea", "dhcpd"])
def test_the_rendered_config_serves_nodes_ipxe_and_unknown_machines(cluster, lab, tmp_path, daemon):
    server, devices, controller = cluster
    server_ns, client_ns = lab.netns("dhs"), lab.netns("dhc")
    server_link, client_link = lab.veth(netlab.unique("dsv"), netlab.unique("dcl"))
    lab.move(server_link, server_ns, f"{controller}/{ip_network(CIDR).prefixlen}")
    lab.move(client_link, client_ns)
    rendered = tmp_path / "rendered"
    rendered.mkdir()
    netlab.run(*render_dhcp_argv(server.db, rendered, controller, server.port, [server_link]),
               netns=server_ns)
    process = serve_dhcp(lab, server_ns, daemon, rendered, tmp_path, server_link)
    client = Client(lab, client_ns, client_link, tmp_path)

    ipxe = client.lease_for(NODE_MAC, USER_CLASS_IPXE)
    assert ipxe["ip"] == devices["node001"]
    assert ipxe["boot_file"] == f"http://{controller}:{server.port}/boot/search/mac/${{net0/mac}}"
    assert ipxe["siaddr"] == controller
    assert ipxe["router"] == controller and ipxe["dns"] == controller
    assert ipxe["domain"] == "cluster"

    bios = client.lease_for(NODE_MAC, "93:0000")  # PXE in a BIOS: chain-load iPXE over TFTP
    assert (bios["ip"], bios["siaddr"], bios["boot_file"]) == (devices["node001"], controller, "undionly.kpxe")
    assert client.lease_for(NODE_MAC)["boot_file"] == "undionly.kpxe"  # no architecture: BIOS
    uefi = client.lease_for(NODE_MAC, "93:0007")
    assert uefi["boot_file"] == "snponly.efi"

    assert client.lease_for(SECOND_MAC, USER_CLASS_IPXE)["ip"] == devices["node002"]
    unknown = client.lease_for(UNKNOWN_MAC, USER_CLASS_IPXE)
    begin, end = (server.record("network", "cluster")[key] for key in ("dhcp_range_begin", "dhcp_range_end"))
    assert ip_address(begin) <= ip_address(unknown["ip"]) <= ip_address(end)
    assert unknown["ip"] not in devices.values()
    assert process.alive(), process.output()


def test_the_lab_leaves_nothing_behind(tmp_path):
    """Namespaces, links and processes are gone after a failing block too."""
    netlab.require_lab()
    with pytest.raises(AssertionError):
        with netlab.Lab() as lab:
            netns = lab.netns("dhx")
            link, peer = lab.veth(netlab.unique("dxa"), netlab.unique("dxb"))
            lab.move(peer, netns)
            sleeper = lab.daemon(["sleep", "600"], str(tmp_path / "sleep.log"), netns)
            raise AssertionError("a test failing mid-way")
    assert netns not in netlab.run("ip", "netns", "list").stdout.split()
    assert netlab.run("ip", "link", "show", link, check=False).returncode != 0
    assert sleeper.process.poll() is not None
