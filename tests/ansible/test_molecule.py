"""Each role's molecule scenario (extensions/molecule/<role>): syntax, converge,
idempotence, verify and cleanup on localhost, under a scratch root.

The dhcp, dns and boot scenarios read from a Cairn server: one real server
(SQLite) with a small cluster, whose URL and token reach them as CAIRN_URL and
CAIRN_TOKEN. Each scenario gets its own ephemeral directory, so parallel
sessions never share one.
"""

import pytest

from ansible_run import ROOT, ansible_env, run
from conftest import Server, cluster_network, make_group, make_node, require_tool

SCENARIOS = {"server": (), "dhcp": ("kea-dhcp4", "dhcpd"), "dns": ("named-checkzone", "named-checkconf"),
             "boot": ()}


@pytest.fixture(scope="module")
def cluster_server(tmp_path_factory):
    server = Server("sqlite", str(tmp_path_factory.mktemp("molecule-server")))
    try:
        cluster_network(server, "cluster", "10.141.0.0/16", dhcp=True,
                        dhcp_range_begin="10.141.200.1", dhcp_range_end="10.141.200.250")
        make_group(server, "compute", [("BOOTIF", "cluster")])
        make_node(server, "node001", "compute", macaddr="52:54:00:00:01:01")
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_passes(cluster_server, scenario, tmp_path):
    for tool in SCENARIOS[scenario]:
        require_tool(tool)
    env = ansible_env(str(tmp_path), cluster_server, MOLECULE_EPHEMERAL_DIRECTORY=str(tmp_path / "molecule"))
    run(["molecule", "test", "-s", scenario], env, cwd=ROOT)
