"""End to end: a QEMU virtual machine with a node's MAC address boots through iPXE
from the DHCP config Cairn renders, and the running Cairn server answers it
that node's boot script.

The server namespace holds a bridge with the controller's address, the tap of
the VM's NIC, Kea (its rendered config names the bridge) and the Cairn server
listening on the controller's address; a veth with a route to that one
address lets this test process reach the server too. The VM's firmware is
QEMU's own iPXE ROM (SeaBIOS, TCG: no KVM needed), so it asks for the boot
URL straight away; its console goes to a serial log that the test reads: it
shows iPXE fetching the node's script from /boot/search/mac/<MAC> and then
running it (fetching the node image's kernel from /boot, as iPXE does: no token). SQLite is enough here, as in
the other end-to-end tests. Run alone: ``.venv/bin/python -m pytest tests/e2e -q``
(as root).
"""

import ipaddress
import os
import re
from urllib.parse import quote

import pytest
import requests

import netlab
from conftest import Server
from e2e_cluster import NODE_MAC, build, serve_dhcp
from e2e_render import render_dhcp_argv

BOOT_TIMEOUT = 90  # iPXE asks for its script some 20 s after QEMU starts, under TCG


def addresses():
    """(cluster /24, link /30 to the root namespace) for this process: the controller's
    address gets a route in the root namespace, so parallel sessions need their own."""
    slot = os.getpid() % 16000
    cluster = ipaddress.ip_network(f"10.{64 + slot // 256}.{slot % 256}.0/24")
    link = list(ipaddress.ip_network("100.64.0.0/10").subnets(new_prefix=30))[slot]
    return cluster, link


@pytest.fixture
def booted(tmp_path):
    """(server, {name: address}, controller, the VM's serial console so far: a callable) while
    the VM boots."""
    _kea, qemu = netlab.require_lab("kea-dhcp4", "qemu-system-x86_64")
    cluster, link = addresses()
    controller = str(cluster.broadcast_address - 1)
    root_end, ns_end = (str(host) for host in link.hosts())
    with netlab.Lab() as lab:
        netns = lab.netns("vm")
        tap = lab.tap(netns, netlab.unique("tap"))
        bridge = lab.bridge(netns, netlab.unique("br"), f"{controller}/{cluster.prefixlen}", [tap])
        outside, inside = lab.veth(netlab.unique("vmr"), netlab.unique("vmn"))
        lab.move(inside, netns, f"{ns_end}/30")
        lab.move(outside, None, f"{root_end}/30")
        netlab.run("ip", "route", "add", f"{controller}/32", "via", ns_end)  # goes with the veth

        (tmp_path / "server").mkdir()
        server = Server("sqlite", str(tmp_path / "server"), host=controller, wrapper=netlab.in_netns(netns))
        lab.callback(server.stop)
        devices, _controller = build(server, str(cluster), image="vmimg", tree=tmp_path / "image")

        rendered = tmp_path / "rendered"
        rendered.mkdir()
        netlab.run(*render_dhcp_argv(server.db, rendered, controller, server.port, [bridge]), netns=netns)
        serial = tmp_path / "serial.log"
        lab.daemon([qemu, "-accel", "tcg", "-m", "256", "-nographic",
                    "-monitor", "none", "-serial", f"file:{serial}", "-no-reboot", "-boot", "n",
                    "-netdev", f"tap,id=n0,ifname={tap},script=no,downscript=no",
                    "-device", f"virtio-net-pci,netdev=n0,mac={NODE_MAC}"],
                   str(tmp_path / "qemu.log"), netns)
        # The bridge runs once the tap has a carrier, that is, once QEMU holds it; Kea opens
        # no socket on a bridge that is not running (and iPXE asks for DHCP for a while).
        netlab.wait_for(f"{bridge} never came up", lambda: netlab.link_up(netns, bridge), timeout=20)
        serve_dhcp(lab, netns, "kea", rendered, tmp_path, bridge)

        yield server, devices, controller, lambda: console(serial)


def console(serial):
    """The serial log as one line: the firmware's console wraps at 80 columns."""
    try:
        text = serial.read_text(errors="replace")
    except FileNotFoundError:
        return ""
    return re.sub(r"[\r\n]", "", text)


def test_a_vm_boots_through_ipxe_into_its_nodes_script(booted):
    server, devices, controller, serial = booted
    base = f"http://{controller}:{server.port}"
    script_url = f"{base}/boot/search/mac/{quote(NODE_MAC, safe='')}"  # iPXE encodes the colons
    kernel = server.record("osimage", "vmimg")["packed_kernel"]
    kernel_url = f"{base}/boot/{kernel}"

    netlab.wait_for(lambda: f"the VM never ran node001's script:\n{serial()[-3000:]}",
                    lambda: kernel_url in serial(), timeout=BOOT_TIMEOUT, interval=1)
    log = serial()
    assert f"{NODE_MAC} using virtio-net" in log  # the VM's NIC has the node's MAC
    assert f"net0: {devices['node001']}/255.255.255.0 gw {controller}" in log  # its reservation
    assert script_url in log  # Kea gave it the rendered boot URL, and iPXE fetched it
    # The kernel and initrd came down without a token, and the kernel ran: iPXE's own
    # bzImage (see e2e_cluster._pack) starts a second iPXE.
    netlab.wait_for(lambda: f"the VM never ran its kernel:\n{serial()[-3000:]}",
                    lambda: serial().count("iPXE initialising devices") >= 2, timeout=60, interval=1)
    log = serial()
    initrd = server.record("osimage", "vmimg")["packed_initrd"]
    assert f"{kernel_url}... ok" in log and f"{base}/boot/{initrd}... ok" in log

    script = requests.get(script_url, timeout=10).text  # what the server answered the VM
    assert script.startswith("#!ipxe\n# Cairn: node node001\n")
    assert f"imgfetch --name kernel ${{base-url}}/boot/{kernel}" in script
    assert f"set base-url {base}" in script
