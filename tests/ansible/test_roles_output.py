"""The dhcp and dns roles write byte for byte the files the server renders.

A cluster is built through the HTTP API of a real server (SQLite and
PostgreSQL); the server's renderer writes its files (DHCP into ROOT/dhcp, DNS
into ROOT/dns); then the roles, run by ansible-playbook on localhost with
cairn_root=ROOT, read the contexts from the server (the lookup plugin) and
write the same paths (the include names the zone directory, so the paths must
be the same too). Every file must be identical, and each one was checked by
its real tool (kea-dhcp4, dhcpd, named-checkzone, named-checkconf) on both
sides.
"""

import os
import shutil
import subprocess
import textwrap

from ansible_run import ansible_env, run
from cairn import config
from cairn.render.all import render_all
from conftest import ADMIN_PASSWORD, cluster_network, make_group, make_node, require_tool

PLAYBOOK = textwrap.dedent("""\
    - name: The controller's DHCP and DNS files, from the Cairn server
      hosts: localhost
      connection: local
      gather_facts: false
      tasks:
        - name: Kea
          ansible.builtin.include_role: {name: cairn.cluster.dhcp}
          vars: {cairn_dhcp_server: kea, cairn_dhcp_kea_config: /dhcp/kea-dhcp4.json}
        - name: ISC dhcpd
          ansible.builtin.include_role: {name: cairn.cluster.dhcp}
          vars: {cairn_dhcp_server: isc, cairn_dhcp_isc_config: /dhcp/dhcpd.conf}
        - name: BIND
          ansible.builtin.include_role: {name: cairn.cluster.dns}
          vars: {cairn_dns_dir: /dns}
    """)


def build_cluster(server):
    """Networks of several prefixes (a /20 splits into sixteen reverse zones), a group,
    nodes with MACs and BMC addresses, a switch and another device."""
    cluster_network(server, "cluster", "10.141.0.0/16", dhcp=True,
                    dhcp_range_begin="10.141.200.1", dhcp_range_end="10.141.200.250", ntp_server="10.141.255.254")
    cluster_network(server, "ipmi", "10.148.0.0/20")
    cluster_network(server, "small", "192.168.5.0/26", dhcp=True,
                    dhcp_range_begin="192.168.5.40", dhcp_range_end="192.168.5.50")
    make_group(server, "compute", [("BOOTIF", "cluster"), ("BMC", "ipmi")])
    make_group(server, "edge", [("BOOTIF", "small")])
    for i in range(1, 6):
        make_node(server, f"node{i:03d}", "compute", macaddr=f"52:54:00:00:01:{i:02x}")
    make_node(server, "edge001", "edge", macaddr="52:54:00:00:02:01")
    assert server.save("switch", "switch01", {"network": "ipmi"}).status_code == 201
    assert server.save("otherdev", "pdu01", {"network": "small"}).status_code == 201


def files_under(root):
    found = {}
    for directory, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            with open(path, "rb") as handle:
                found[os.path.relpath(path, root)] = handle.read()
    return found


def test_the_roles_write_the_servers_files_byte_for_byte(server, tmp_path):
    for tool in ("kea-dhcp4", "dhcpd", "named-checkzone", "named-checkconf"):
        require_tool(tool)
    build_cluster(server)
    root = tmp_path / "root"
    render_all(config.load(environ={}, overrides={"db": server.db, "bind": f"127.0.0.1:{server.port}",
                                                  "data_dir": str(tmp_path / "data")}), str(root))
    rendered = files_under(root)
    assert {"dhcp/kea-dhcp4.json", "dhcp/dhcpd.conf", "dns/named.conf.cairn", "dns/cluster.zone",
            "dns/5.168.192.in-addr.arpa.zone", "dns/15.148.10.in-addr.arpa.zone"} <= set(rendered)
    assert b'"socket-name": "/run/kea/kea4-ctrl-socket"' in rendered["dhcp/kea-dhcp4.json"]  # both defaults
    shutil.rmtree(root)

    (tmp_path / "controller.yml").write_text(PLAYBOOK)
    env = ansible_env(str(tmp_path), server)
    run(["ansible-playbook", "-i", "localhost,", "-e", f"cairn_root={root}", "controller.yml"],
        env, cwd=tmp_path)

    written = files_under(root)
    include = written.pop("etc/bind/named.conf.local")
    assert include == f'include "{root}/dns/named.conf.cairn";\n'.encode()
    assert sorted(written) == sorted(rendered)
    for path, content in rendered.items():
        assert written[path] == content, f"{path} differs from the server's"

    again = run(["ansible-playbook", "-i", "localhost,", "-e", f"cairn_root={root}", "controller.yml"],
                env, cwd=tmp_path)
    assert "changed=0" in again, again


def test_the_lookup_logs_in_with_a_password_and_shows_the_servers_refusal(server, tmp_path):
    expression = "msg={{ lookup('cairn.cluster.render_context', 'dns').soa_serial }}"
    env = ansible_env(str(tmp_path), server, CAIRN_TOKEN="", CAIRN_USERNAME="admin",
                      CAIRN_PASSWORD=ADMIN_PASSWORD)
    run(["ansible", "localhost", "-i", "localhost,", "-c", "local", "-m", "debug", "-a", expression], env)
    env["CAIRN_PASSWORD"] = "wrong"
    done = subprocess.run(["ansible", "localhost", "-i", "localhost,", "-c", "local", "-m", "debug",
                           "-a", expression], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, check=False)
    assert done.returncode != 0 and "POST /token: 401" in done.stdout, done.stdout
    assert "wrong" not in done.stdout
