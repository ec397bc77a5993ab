"""The cluster the end-to-end tests build through the API, and the DHCP daemons
serving the config rendered from it (e2e_render.py renders it)."""

import ipaddress
import json
import shutil

import netlab
from conftest import require_tool

NODE_MAC = "52:54:00:e2:e0:01"
SECOND_MAC = "52:54:00:e2:e0:02"
UNKNOWN_MAC = "52:54:00:e2:e0:99"
IPXE_KERNEL = "/usr/lib/ipxe/ipxe.lkrn"  # from Debian's ipxe package
USER_CLASS_IPXE = "77:69505845"  # udhcpc -x: option 77 (user-class) = "iPXE" in hex


def build(server, cidr, image=None, tree=None):
    """Network "cluster" (``cidr``, DHCP on, the controller its gateway and name server at
    the last host address, a pool of 20 addresses at the middle of it), group "compute"
    booting on it, nodes node001/node002 (NODE_MAC, SECOND_MAC), switch "switch01" and
    other device "pdu01". ``image``: the name of an osimage that the group boots, packed
    from an image tree made in ``tree`` (see _pack).
    Returns {name: address} of the nodes and devices, and the controller's address."""
    net = ipaddress.ip_network(cidr)
    controller = str(net.broadcast_address - 1)
    middle = net.network_address + net.num_addresses // 2
    _ok(server.save("network", "cluster", {
        "network": cidr, "dhcp": True, "gateway": controller, "ns_ip": controller,
        "ns_hostname": "controller.cluster",
        "dhcp_range_begin": str(middle), "dhcp_range_end": str(middle + 19)}))
    group = {"interfaces": [{"interface": "BOOTIF", "network": "cluster"}]}
    if image:
        _pack(server, image, tree)
        group["osimage"] = image
    _ok(server.save("group", "compute", group))
    for name, mac in (("node001", NODE_MAC), ("node002", SECOND_MAC)):
        _ok(server.save("node", name, {"group": "compute", "macaddr": mac}))
    _ok(server.save("switch", "switch01", {"network": "cluster", "ipaddress": str(middle - 2)}))
    _ok(server.save("otherdev", "pdu01", {"network": "cluster", "ipaddress": str(middle - 1)}))
    taken = server.get("/config/network/cluster/_list").json()["config"]["network"]["cluster"]["taken"]
    return {t["device"]: t["ipaddress"] for t in taken}, controller


def _ok(answer):
    assert answer.status_code in (201, 204), answer.text


def _pack(server, image, tree):
    """Pack ``image`` for real from a tree whose "kernel" is iPXE's own bzImage build
    (ipxe.lkrn): a kernel the VM can load and run without a Linux kernel on this
    machine. Running it starts a second iPXE, which the serial log shows."""
    boot = tree / "boot"
    boot.mkdir(parents=True)
    shutil.copy(IPXE_KERNEL, boot / "ipxe.lkrn")
    (boot / "initrd.img").write_bytes(b"cairn e2e initrd\n")
    _ok(server.save("osimage", image, {"path": str(tree), "kernelfile": "ipxe.lkrn",
                                       "initrdfile": "initrd.img", "kerneloptions": "console=ttyS0"}))
    answer = server.get(f"/config/osimage/{image}/_pack")
    assert answer.status_code == 202, answer.text
    job = answer.json()["request_id"]

    def finished():
        status = server.get(f"/config/status/{job}").json()["config"]["status"][job]
        return status if status["status"] in ("done", "failed") else None
    status = netlab.wait_for(f"packing {image} never finished", finished, timeout=60)
    assert status["status"] == "done", status


def serve_dhcp(lab, netns, daemon, rendered, directory, interface):
    """Run ``daemon`` ("kea" or "dhcpd") in ``netns`` on the config rendered into
    ``rendered``, serving ``interface``, with its own files in ``directory``; the
    netlab.Daemon, once it listens on port 67."""
    if daemon == "kea":  # interfaces-config names the interface already
        argv = [require_tool("kea-dhcp4"), "-c", _kea_config(rendered / "kea-dhcp4.json", directory)]
        # PID and lock files in the test's directory, not in /run/kea.
        env = {"KEA_PIDFILE_DIR": str(directory), "KEA_LOCKFILE_DIR": str(directory)}
    else:
        leases = directory / "dhcpd.leases"
        leases.touch()
        argv = [require_tool("dhcpd"), "-f", "-d", "-4", "-cf", str(rendered / "dhcpd.conf"),
                "-lf", str(leases), "-pf", str(directory / "dhcpd.pid"), interface]
        env = None
    process = lab.daemon(argv, str(directory / f"{daemon}.log"), netns, env)
    netlab.wait_for(lambda: f"{daemon} does not listen on port 67:\n{process.output()}",
                    lambda: netlab.listening_udp(netns, 67), timeout=20)
    return process


def _kea_config(rendered, directory):
    """The rendered Kea config with its lease file in ``directory`` (the one setting
    that belongs to the machine: parallel tests must not share /var/lib/kea); its path."""
    with open(rendered) as source:
        config = json.load(source)
    config["Dhcp4"]["lease-database"]["name"] = str(directory / "kea-leases4.csv")
    path = directory / "kea-dhcp4.json"
    with open(path, "w") as target:
        json.dump(config, target, indent=2)
    return str(path)
